package kumo.agent;

import com.aliyun.fc.runtime.Context;
import com.aliyun.fc.runtime.Credentials;
import com.aliyun.fc.runtime.FunctionComputeLogger;
import com.aliyun.fc.runtime.FunctionParam;
import com.aliyun.fc.runtime.OpenTracing;
import com.aliyun.fc.runtime.Service;
import com.sun.net.httpserver.Headers;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collections;
import java.util.Map;

/** FC's `Context` for one call, built from the `X-Fc-*` headers Kumo sends (FC_RUNTIME.md §1.3, §2.4). */
final class FcContext implements Context {
  private final String requestId;
  private final Headers headers;
  private final FcLogger logger;

  FcContext(String requestId, Headers headers) {
    this.requestId = requestId;
    this.headers = headers;
    this.logger = new FcLogger(requestId);
  }

  String header(String name) {
    String value = headers.getFirst(name);
    return value == null ? "" : value;
  }

  private int number(String name) {
    try {
      return Integer.parseInt(header(name).trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  @Override
  public String getRequestId() {
    return requestId;
  }

  @Override
  public Credentials getExecutionCredentials() {
    String id = header("X-Fc-Access-Key-Id");
    String secret = header("X-Fc-Access-Key-Secret");
    String token = header("X-Fc-Security-Token");
    return new Credentials() {
      @Override
      public String getAccessKeyId() {
        return id;
      }

      @Override
      public String getAccessKeySecret() {
        return secret;
      }

      @Override
      public String getSecurityToken() {
        return token;
      }
    };
  }

  @Override
  public FunctionParam getFunctionParam() {
    String name = header("X-Fc-Function-Name");
    String handler = header("X-Fc-Function-Handler");
    String initializer = header("X-Fc-Function-Initializer");
    int timeoutMillis = number("X-Fc-Function-Timeout") * 1000;
    int memory = number("X-Fc-Function-Memory");
    return new FunctionParam() {
      @Override
      public String getFunctionName() {
        return name;
      }

      @Override
      public String getFunctionHandler() {
        return handler;
      }

      @Override
      public String getFunctionInitializer() {
        return initializer;
      }

      @Override
      public int getExecTimeLimitInMillis() {
        return timeoutMillis;
      }

      @Override
      public int getMemoryLimitInMB() {
        return memory;
      }
    };
  }

  @Override
  public Service getService() {
    String name = header("X-Fc-Service-Name");
    String project = header("X-Fc-Service-Logproject");
    String store = header("X-Fc-Service-Logstore");
    String qualifier = header("X-Fc-Qualifier");
    String version = header("X-Fc-Version-Id");
    return new Service() {
      @Override
      public String getName() {
        return name;
      }

      @Override
      public String getLogProject() {
        return project;
      }

      @Override
      public String getLogStore() {
        return store;
      }

      @Override
      public String getQualifier() {
        return qualifier;
      }

      @Override
      public String getVersionId() {
        return version;
      }
    };
  }

  @Override
  public FunctionComputeLogger getLogger() {
    return logger;
  }

  @Override
  public OpenTracing getTracing() {
    String spanContext = header("X-Fc-Tracing-Opentracing-Span-Context");
    String baggages = header("X-Fc-Tracing-Opentracing-Span-Baggages");
    String jaeger = header("X-Fc-Tracing-Jaeger-Endpoint");
    return new OpenTracing() {
      @Override
      public String getSpanContext() {
        return spanContext;
      }

      @Override
      public Map<String, String> getSpanBaggages() {
        return decodeBaggages(baggages);
      }

      @Override
      public String getJaegerEndpoint() {
        return jaeger;
      }
    };
  }

  @Override
  public int getRetryCount() {
    return number("X-Fc-Retry-Count");
  }

  /** The baggages header is base64 of a JSON object of strings. */
  private static Map<String, String> decodeBaggages(String value) {
    if (value.isEmpty()) return Collections.emptyMap();
    try {
      String json = new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8);
      return Pojo.stringMap(json);
    } catch (RuntimeException | java.io.IOException e) {
      return Collections.emptyMap();
    }
  }
}
