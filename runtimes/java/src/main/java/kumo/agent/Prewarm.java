package kumo.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
 * /kumo/specialize is an ordinary path of the function's. The environment is replaced by libkumo-prewarm.so
 * (runtimes/java/src/main/c/prewarm_env.c), loaded at start so the specialisation does not wait for it.
 */
final class Prewarm implements HttpHandler {
  private static final String PATH = "/kumo/specialize";
  private static final String LIBRARY = "libkumo-prewarm.so";
  private final AtomicBoolean claimed = new AtomicBoolean();
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
    boolean valid = exchange.getRequestMethod().equals("POST")
        && exchange.getRequestURI().getPath().equals(PATH)
        && expected != null
        && expected.equals(exchange.getRequestHeaders().getFirst("X-Kumo-Prewarm-Token"));
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

  private void specialize(byte[] body) {
    JsonNode env;
    try {
      env = new ObjectMapper().readTree(body).get("env");
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

  private static void refuse(HttpExchange exchange, int status, String text) throws IOException {
    byte[] body = text.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain");
    exchange.sendResponseHeaders(status, body.length);
    exchange.getResponseBody().write(body);
    exchange.close();
  }
}
