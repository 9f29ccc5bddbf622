package training;

import com.aliyun.fc.runtime.Context;
import com.aliyun.fc.runtime.StreamRequestHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** CDS training (scripts/setup.d/java.sh): a stream handler that logs. */
public class Stream implements StreamRequestHandler {
  @Override
  public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
    context.getLogger().info("training");
    System.out.println("training");
    input.transferTo(output);
  }
}
