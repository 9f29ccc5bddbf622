package kumo.agent;

import java.lang.reflect.InvocationTargetException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The function's handler objects: `package.Class::method` names a class with a public zero-argument
 * constructor, instantiated once per instance; the interface it implements decides how it is called (the
 * method name is not used, as in FC's Java runtime). Load failures are FC's IllegalArgumentException texts.
 */
final class UserCode {
  private final ClassLoader loader;
  private final String codePath;
  private final ConcurrentHashMap<String, Object> instances = new ConcurrentHashMap<>();

  UserCode(ClassLoader loader, String codePath) {
    this.loader = loader;
    this.codePath = codePath;
  }

  ClassLoader loader() {
    return loader;
  }

  /** The handler object named by `handler`, checked to implement `type`; `method` names it in errors. */
  <T> T handler(String handler, Class<T> type, String method) {
    Object instance = instance(className(handler));
    if (!type.isInstance(instance)) throw notImplemented(instance.getClass().getName(), method);
    return type.cast(instance);
  }

  /** The handler object whatever it implements (event and HTTP calls choose among several interfaces). */
  Object instance(String className) {
    Object cached = instances.get(className);
    if (cached != null) return cached;
    synchronized (instances) {
      return instances.computeIfAbsent(className, this::create);
    }
  }

  static String className(String handler) {
    String[] parts = handler == null ? new String[0] : handler.split("::", -1);
    if (parts.length != 2 || parts[0].isEmpty()) {
      throw new IllegalArgumentException(String.format("Handler '%s' must contain one and only one '::'", handler));
    }
    return parts[0];
  }

  static IllegalArgumentException notImplemented(String className, String method) {
    String kind = method.equals("handleRequest") ? "Handler" : "Lifecycle Handler";
    return new IllegalArgumentException(
        String.format("The %s '%s' is not implemented in class '%s'", kind, method, className));
  }

  private Object create(String name) {
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(loader);
    try {
      return Class.forName(name, true, loader).getConstructor().newInstance();
    } catch (ClassNotFoundException e) {
      throw fail("Cannot find the class %s in your zip file and please make sure it is in the right path '%s'",
          null, name, codePath);
    } catch (NoClassDefFoundError e) {
      throw fail("Cannot find the definition of class '%s', please check if it exist in your zip file", e, name);
    } catch (ExceptionInInitializerError e) {
      throw fail("Error loading class '%s', please make sure that the initializer does not throw any exception",
          e.getCause() == null ? e : e.getCause(), name);
    } catch (NoSuchMethodException | IllegalAccessException e) {
      throw fail("Class '%s' has no public zero-argument constructor", null, name);
    } catch (InstantiationException e) {
      throw fail("Can not instantiate class '%s', please check if it is not abstract and has a constructor with "
          + "no parameter", null, name);
    } catch (InvocationTargetException e) {
      throw fail("Error instantiate an object for '%s', please make sure that the default constructor works",
          e.getCause() == null ? e : e.getCause(), name);
    } catch (LinkageError e) {
      throw fail("Failed to load the class '%s', make sure that it can be instantiated", e, name);
    } finally {
      thread.setContextClassLoader(previous);
    }
  }

  private static IllegalArgumentException fail(String format, Throwable cause, Object... args) {
    return new IllegalArgumentException(String.format(format, args), cause);
  }
}
