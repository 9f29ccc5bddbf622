package kumo.agent;

import com.aliyun.fc.runtime.Context;
import com.aliyun.fc.runtime.PojoRequestHandler;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.util.HashMap;
import java.util.Map;

/**
 * `PojoRequestHandler<I, O>`: the event is JSON read into I and the result is written as JSON, with Jackson's
 * defaults and unknown properties ignored, as FC's Java runtime maps them. Jackson loads on the first POJO call
 * only, so other handlers do not pay for it.
 */
final class Pojo {
  private Pojo() {}

  private static final class Mapper {
    static final ObjectMapper INSTANCE =
        new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
  }

  /** Calls the handler with the event decoded to its input type; answers the result as JSON bytes. */
  @SuppressWarnings({"rawtypes", "unchecked"}) // the type argument is known only at run time
  static byte[] call(PojoRequestHandler handler, byte[] event, Context context) {
    ObjectMapper mapper = Mapper.INSTANCE;
    Type inputType = inputType(handler.getClass());
    JavaType javaType = mapper.getTypeFactory().constructType(inputType);
    Object input;
    try {
      input = mapper.readValue(event, javaType);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(String.format("An error occurred during JSON parsing input, please make "
          + "sure that the input is in Json format and can be deserialize to '%s'", javaType.toCanonical()), e);
    }
    Object output = handler.handleRequest(input, context);
    try {
      return mapper.writeValueAsBytes(output);
    } catch (IOException | RuntimeException e) {
      String type = output == null ? "null" : output.getClass().getName();
      throw new IllegalArgumentException(String.format("An error occurred during JSON serialization of response, "
          + "please make sure that the output class '%s' can be serialized to a Json string", type), e);
    }
  }

  static Map<String, String> stringMap(String json) throws IOException {
    return Mapper.INSTANCE.readValue(json, new TypeReference<Map<String, String>>() {});
  }

  /** The I of `PojoRequestHandler<I, O>` as `type` binds it, through superclasses and interfaces. */
  static Type inputType(Class<?> type) {
    Type found = resolve(type, new HashMap<>());
    if (found == null || found instanceof TypeVariable) {
      throw new IllegalArgumentException(String.format("Class '%s' does not implement RequestHandler with concrete "
          + "type parameters, Type parameter '%s' is not instantiated", type.getName(), found));
    }
    return found;
  }

  private static Type resolve(Type type, Map<TypeVariable<?>, Type> bindings) {
    Class<?> raw;
    if (type instanceof ParameterizedType) {
      ParameterizedType parameterized = (ParameterizedType) type;
      raw = (Class<?>) parameterized.getRawType();
      TypeVariable<?>[] variables = raw.getTypeParameters();
      Type[] actual = parameterized.getActualTypeArguments();
      Map<TypeVariable<?>, Type> inner = new HashMap<>(bindings);
      for (int i = 0; i < variables.length; i++) inner.put(variables[i], bind(actual[i], bindings));
      bindings = inner;
      if (raw == PojoRequestHandler.class) return bindings.get(variables[0]);
    } else if (type instanceof Class) {
      raw = (Class<?>) type;
    } else {
      return null;
    }
    for (Type parent : raw.getGenericInterfaces()) {
      Type found = resolve(parent, bindings);
      if (found != null) return found;
    }
    Type superclass = raw.getGenericSuperclass();
    return superclass == null ? null : resolve(superclass, bindings);
  }

  private static Type bind(Type type, Map<TypeVariable<?>, Type> bindings) {
    return type instanceof TypeVariable && bindings.containsKey(type) ? bindings.get(type) : type;
  }
}
