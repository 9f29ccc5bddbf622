package kumo.agent;

import com.aliyun.fc.runtime.FunctionInitializer;
import com.aliyun.fc.runtime.HttpRequestHandler;
import com.aliyun.fc.runtime.PojoRequestHandler;
import com.aliyun.fc.runtime.PreFreezeHandler;
import com.aliyun.fc.runtime.PreStopHandler;
import com.aliyun.fc.runtime.StreamRequestHandler;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** Routes each call Kumo makes to the instance (FC_RUNTIME.md §1.2) and answers it. */
final class Calls implements HttpHandler {
  private final UserCode code;
  private final Object initLock = new Object();
  private volatile boolean initialized;
  /** `-Dkumo.exit.after.calls=N`: exit after N calls (setup's training run, which writes the CDS archive then). */
  private final int exitAfter = Integer.getInteger("kumo.exit.after.calls", 0);
  private final java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();

  Calls(UserCode code) {
    this.code = code;
  }

  @Override
  public void handle(HttpExchange exchange) {
    String requestId = exchange.getRequestHeaders().getFirst("X-Fc-Request-Id");
    if (requestId == null || requestId.isEmpty()) requestId = UUID.randomUUID().toString();
    FcContext context = new FcContext(requestId, exchange.getRequestHeaders());
    LogCapture.begin(requestId);
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(code.loader());
    try {
      dispatch(exchange, context);
    } catch (Throwable error) { // the function's failure, whatever it is, is the caller's answer
      fail(exchange, context, error);
    } finally {
      thread.setContextClassLoader(previous);
      LogCapture.end();
      exchange.close();
    }
    if (exitAfter > 0 && calls.incrementAndGet() >= exitAfter) System.exit(0);
  }

  private void dispatch(HttpExchange exchange, FcContext context) throws Throwable {
    String control = context.header("X-Fc-Control-Path");
    String path = exchange.getRequestURI().getPath();
    String method = exchange.getRequestMethod();
    if (control.equals("/invoke") || (control.isEmpty() && method.equals("POST") && path.equals("/invoke"))) {
      byte[] event = readAll(exchange.getRequestBody());
      reply(exchange, invoke(context, event));
    } else if (control.equals("/initialize") || (control.isEmpty() && path.equals("/initialize"))) {
      readAll(exchange.getRequestBody());
      initialize(context);
      reply(exchange, new byte[0]);
    } else if (control.equals("/pre-stop") || (control.isEmpty() && path.equals("/pre-stop"))) {
      String handler = context.header("X-Fc-Instance-Lifecycle-Pre-Stop-Handler");
      if (!handler.isEmpty()) code.handler(handler, PreStopHandler.class, "preStop").preStop(context);
      reply(exchange, new byte[0]);
    } else if (control.equals("/pre-freeze") || (control.isEmpty() && path.equals("/pre-freeze"))) {
      String handler = context.header("X-Fc-Instance-Lifecycle-Pre-Freeze-Handler");
      if (!handler.isEmpty()) code.handler(handler, PreFreezeHandler.class, "preFreeze").preFreeze(context);
      reply(exchange, new byte[0]);
    } else {
      Object handler = code.instance(UserCode.className(handlerName(context)));
      if (!(handler instanceof HttpRequestHandler)) {
        throw UserCode.notImplemented(handler.getClass().getName(), "handleRequest");
      }
      HttpFunction.call((HttpRequestHandler) handler, exchange, context);
    }
  }

  private static String handlerName(FcContext context) {
    String handler = context.header("X-Fc-Function-Handler");
    return handler.isEmpty() ? System.getenv("FC_FUNCTION_HANDLER") : handler;
  }

  /** An event call: a stream handler writes its answer, a POJO handler returns it (as JSON). */
  @SuppressWarnings("rawtypes") // PojoRequestHandler's type arguments are resolved at run time
  private byte[] invoke(FcContext context, byte[] event) throws IOException {
    Object handler = code.instance(UserCode.className(handlerName(context)));
    if (handler instanceof StreamRequestHandler) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ((StreamRequestHandler) handler).handleRequest(new ByteArrayInputStream(event), out, context);
      return out.toByteArray();
    }
    if (handler instanceof PojoRequestHandler) return Pojo.call((PojoRequestHandler) handler, event, context);
    throw UserCode.notImplemented(handler.getClass().getName(), "handleRequest");
  }

  /** The initializer runs at most once per instance; one that fails runs again on the next call. */
  private void initialize(FcContext context) throws IOException {
    if (initialized) return;
    synchronized (initLock) {
      if (initialized) return;
      String name = context.header("X-Fc-Function-Initializer");
      if (name.isEmpty()) name = System.getenv("FC_INITIALIZER_HANDLER");
      if (name != null && !name.isEmpty()) {
        code.handler(name, FunctionInitializer.class, "initialize").initialize(context);
      }
      initialized = true;
    }
  }

  private static void reply(HttpExchange exchange, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
    exchange.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
    exchange.getResponseBody().write(body);
  }

  /** FC's failure answer: status 404 with `X-Fc-Status: 404` and the error JSON; the error is logged too. */
  static void fail(HttpExchange exchange, FcContext context, Throwable error) {
    String json = Errors.json(error);
    LogCapture.line(context.getRequestId(), "ERROR", json);
    if (exchange.getResponseCode() != -1) return; // the answer has begun: closing it cuts it short
    try {
      byte[] body = json.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.getResponseHeaders().set("X-Fc-Status", "404");
      exchange.getResponseHeaders().set("X-Fc-Error-Type", "UnhandledInvocationError");
      exchange.sendResponseHeaders(404, body.length);
      exchange.getResponseBody().write(body);
    } catch (IOException e) {
      // Kumo went away; nothing left to tell
    }
  }

  static byte[] readAll(InputStream in) throws IOException {
    return in.readAllBytes();
  }
}
