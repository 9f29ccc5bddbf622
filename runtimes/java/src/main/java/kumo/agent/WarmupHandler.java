package kumo.agent;

import com.aliyun.fc.runtime.Context;
import com.aliyun.fc.runtime.StreamRequestHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The handler a pre-warmed agent calls through its own HTTP server before it reports ready ({@link Prewarm}), so
 * the classes and code of a call are loaded and run once before the function's first call. It is the agent's own
 * class (never the function's) and touches what a call does: the event, the context, the answer.
 */
public final class WarmupHandler implements StreamRequestHandler {
  @Override
  public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
    byte[] event = input.readAllBytes();
    String name = context.getFunctionParam().getFunctionName() + context.getRequestId();
    output.write(event);
    output.write(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }
}
