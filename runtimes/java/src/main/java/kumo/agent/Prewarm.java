package kumo.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.File;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A pre-warmed agent (started by Kumo's pool with KUMO_PREWARM_TOKEN=<token> and no function) serves exactly one
 * request before it becomes a function's: POST /kumo/specialize with that token and the function's whole
 * environment as JSON ({"env": {...}}), answered 204. Every other request before it is refused (503); after it,
 * the agent is the same as one started with that environment (the process environment, the working directory and
 * the class path of the code are the function's; its handler class loads on the first call), and
 * /kumo/specialize is an ordinary path of the function's. Before it answers 503 (ready), it warms its call path up
 * ({@link #warmUp}). The environment is replaced by libkumo-prewarm.so
 * (runtimes/java/src/main/c/prewarm_env.c), loaded at start so the specialisation does not wait for it.
 */
final class Prewarm implements HttpHandler {
  private static final String PATH = "/kumo/specialize";
  private static final String LIBRARY = "libkumo-prewarm.so";
  private static final String WARMUP_PATH = "/kumo/warmup";
  /** `-Dkumo.prewarm.warmup.calls=N` (default 3; 0: none), for measuring what the warm-up saves. */
  private static final int WARMUP_CALLS = Integer.getInteger("kumo.prewarm.warmup.calls", 3);
  private static final ObjectMapper JSON = new ObjectMapper();
  private final AtomicBoolean claimed = new AtomicBoolean();
  /** True until the warm-up calls are done: only they are served, everything else is refused with 409. */
  private volatile boolean warming = true;
  private final Calls warmup = new Calls(new UserCode(Prewarm.class.getClassLoader(), "/opt/kumo/runtimes/java"));
  private final AtomicBoolean announced = new AtomicBoolean();
  private volatile String token;
  private volatile Calls calls;

  Prewarm(String token) {
    this.token = token;
    File jar = new File(Agent.class.getProtectionDomain().getCodeSource().getLocation().getPath());
    System.load(new File(jar.getParentFile(), LIBRARY).getPath());
  }

  /** Replaces the process environment with `entries` ("NAME=value") and changes to `directory`. */
  private static native boolean become(byte[][] entries, byte[] directory);

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    Calls ready = calls;
    if (ready != null) {
      // Said on the first call, where a normally started agent's line (printed on listening) mostly lands too.
      if (announced.compareAndSet(false, true)) LogCapture.raw().println(Agent.initedLine());
      ready.handle(exchange);
      return;
    }
    String expected = token;
    String path = exchange.getRequestURI().getPath();
    if (warming) {
      if (path.equals(WARMUP_PATH) && carries(exchange, expected)) warmup.handle(exchange);
      else refuse(exchange, 409, "warming up");
      return;
    }
    boolean valid = exchange.getRequestMethod().equals("POST") && path.equals(PATH) && carries(exchange, expected);
    if (!valid || !claimed.compareAndSet(false, true)) {
      refuse(exchange, 503, "this instance has no function yet");
      return;
    }
    try {
      specialize(Calls.readAll(exchange.getRequestBody()));
    } catch (Throwable error) { // half-specialised: never serve anything
      refuse(exchange, 400, String.valueOf(error.getMessage()));
      Runtime.getRuntime().halt(1);
    }
    exchange.sendResponseHeaders(204, -1);
    exchange.close();
  }

  /**
   * Calls {@link WarmupHandler} a few times through the agent's HTTP server on `port`, as Kumo calls a function
   * (failures are ignored: the warm-up only saves time), then starts answering 503 (which Kumo waits for).
   */
  void warmUp(int port) {
    try { // Jackson's first parse costs a cold JVM tens of milliseconds: not on the function's first call
      JSON.readTree("{\"env\":{\"FC_FUNC_CODE_PATH\":\"/code\"}}").get("env").fields().next().getValue().asText();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    for (int i = 0; i < WARMUP_CALLS; i++) {
      try {
        HttpURLConnection connection =
            (HttpURLConnection) new URL("http://127.0.0.1:" + port + WARMUP_PATH).openConnection();
        connection.setRequestMethod("POST");
        connection.setDoOutput(true);
        connection.setRequestProperty("X-Kumo-Prewarm-Token", token);
        connection.setRequestProperty("X-Fc-Control-Path", "/invoke");
        connection.setRequestProperty("X-Fc-Request-Id", "warmup-" + i);
        connection.setRequestProperty("X-Fc-Function-Handler", WarmupHandler.class.getName() + "::handleRequest");
        connection.setRequestProperty("X-Fc-Function-Name", "warmup");
        connection.setRequestProperty("X-Fc-Access-Key-Id", "warmup");
        connection.getOutputStream().write("warm-up".getBytes(StandardCharsets.UTF_8));
        connection.getInputStream().readAllBytes();
        connection.disconnect();
      } catch (IOException e) {
        break;
      }
    }
    warming = false;
  }

  private void specialize(byte[] body) {
    JsonNode env;
    try {
      env = JSON.readTree(body).get("env");
    } catch (IOException e) {
      throw new IllegalArgumentException("the body is not JSON", e);
    }
    if (env == null || !env.isObject()) throw new IllegalArgumentException("no environment");
    List<byte[]> entries = new ArrayList<>();
    String codePath = "/code";
    for (Iterator<Map.Entry<String, JsonNode>> it = env.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      String value = entry.getValue().asText();
      if (entry.getKey().equals("FC_FUNC_CODE_PATH") && !value.isEmpty()) codePath = value;
      entries.add((entry.getKey() + "=" + value).getBytes(StandardCharsets.UTF_8));
    }
    if (!become(entries.toArray(new byte[0][]), codePath.getBytes(StandardCharsets.UTF_8))) {
      throw new IllegalStateException("the environment could not be replaced");
    }
    token = null;
    calls = Agent.calls();
  }

  /** Whether the request carries the token (compared in constant time). */
  private static boolean carries(HttpExchange exchange, String token) {
    String given = exchange.getRequestHeaders().getFirst("X-Kumo-Prewarm-Token");
    if (token == null || given == null) return false;
    return MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
  }

  private static void refuse(HttpExchange exchange, int status, String text) throws IOException {
    byte[] body = text.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain");
    exchange.sendResponseHeaders(status, body.length);
    exchange.getResponseBody().write(body);
    exchange.close();
  }
}
