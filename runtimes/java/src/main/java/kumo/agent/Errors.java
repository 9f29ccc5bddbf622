package kumo.agent;

import java.util.ArrayList;
import java.util.List;

/** FC's error body for a failed call: `{"errorMessage", "errorType": exception class, "stackTrace": [frames]}`. */
final class Errors {
  private Errors() {}

  /** The body of `error`; stack frames of the agent (and of the JDK code that called it) are left out. */
  static String json(Throwable error) {
    String type = error.getClass().getCanonicalName();
    StringBuilder out = new StringBuilder("{\"errorMessage\":");
    quote(out, error.getMessage() == null ? "" : error.getMessage());
    out.append(",\"errorType\":");
    quote(out, type == null ? error.getClass().getName() : type);
    out.append(",\"stackTrace\":[");
    List<String> frames = userFrames(error);
    for (int i = 0; i < frames.size(); i++) {
      if (i > 0) out.append(',');
      quote(out, frames.get(i));
    }
    return out.append("]}").toString();
  }

  /** The error a load failure wraps (a constructor that threw) keeps the user's frames. */
  static List<String> userFrames(Throwable error) {
    Throwable source = error.getStackTrace().length > 0 && isAgent(error.getStackTrace()[0]) && error.getCause() != null
        ? error.getCause()
        : error;
    List<String> frames = new ArrayList<>();
    for (StackTraceElement frame : source.getStackTrace()) {
      if (isAgent(frame)) break;
      String cls = frame.getClassName();
      if (cls.startsWith("jdk.internal.reflect.") || cls.startsWith("java.lang.reflect.")) continue;
      frames.add(frame.toString());
    }
    return frames;
  }

  private static boolean isAgent(StackTraceElement frame) {
    return frame.getClassName().startsWith("kumo.agent.");
  }

  static void quote(StringBuilder out, String text) {
    out.append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"': out.append("\\\""); break;
        case '\\': out.append("\\\\"); break;
        case '\n': out.append("\\n"); break;
        case '\r': out.append("\\r"); break;
        case '\t': out.append("\\t"); break;
        default:
          if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
          else out.append(c);
      }
    }
    out.append('"');
  }
}
