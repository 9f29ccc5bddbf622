package kumo.agent;

import com.sun.net.httpserver.HttpServer;
import java.io.File;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Kumo's built-in Java runtime agent (java8, java11). Serves FC's custom-runtime protocol on
 * 0.0.0.0:$FC_SERVER_PORT with the JDK's own HTTP server and runs the function's handlers, as the Node.js and
 * Python agents do:
 *
 * <pre>
 *   POST /invoke       (X-Fc-Control-Path /invoke)       StreamRequestHandler or PojoRequestHandler
 *   POST /initialize   (X-Fc-Control-Path /initialize)   FunctionInitializer, once per instance
 *   GET  /pre-stop, /pre-freeze                          PreStopHandler, PreFreezeHandler
 *   anything else      (X-Fc-Control-Path /http-invoke)  HttpRequestHandler (servlet request/response)
 * </pre>
 *
 * The agent's classes, fc-java-core and Jackson sit on the JVM's class path; the function's code gets its own
 * class loader ({@link UserClassLoader}) that sees only the JDK, fc-java-core and the servlet API from there.
 * Started by a pre-warmed pool (KUMO_PREWARM_TOKEN set), it waits for its function's environment: {@link Prewarm}.
 */
public final class Agent {
  private Agent() {}

  public static void main(String[] args) throws Exception {
    LogCapture.install();
    String token = System.getenv("KUMO_PREWARM_TOKEN");
    Prewarm prewarm = token == null || token.isEmpty() ? null : new Prewarm(token);
    int port = Integer.parseInt(firstSet(System.getenv("FC_SERVER_PORT"), System.getenv("FC_CUSTOM_LISTEN_PORT"), "9000"));
    HttpServer server = HttpServer.create(new InetSocketAddress("0.0.0.0", port), 1024);
    server.createContext("/", prewarm != null ? prewarm : calls());
    server.setExecutor(requestThreads());
    server.start();
    if (prewarm == null) LogCapture.raw().println(initedLine());
    else prewarm.warmUp(port);
  }

  /** The function's calls, from the environment (at start, or a pre-warmed agent's once it is specialised). */
  static Calls calls() {
    String codePath = firstSet(System.getProperty("fc.func.code.path"), System.getenv("FC_FUNC_CODE_PATH"), "/code");
    ClassLoader loader =
        new UserClassLoader(UserClassLoader.codeUrls(codePath, "/opt", System.getenv("CLASSPATH")));
    return new Calls(new UserCode(loader, new File(codePath).getPath()));
  }

  static String initedLine() {
    return "FunctionCompute " + firstSet(System.getenv("FC_RUNTIME"), "java11") + " runtime inited.";
  }

  /** One thread per concurrent call (instanceConcurrency); idle threads go after a minute. */
  private static ExecutorService requestThreads() {
    AtomicInteger count = new AtomicInteger();
    return Executors.newCachedThreadPool(task -> {
      Thread thread = new Thread(task, "fc-request-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
  }

  static String firstSet(String... values) {
    for (String value : values) if (value != null && !value.isEmpty()) return value;
    return "";
  }
}
