package training;

import com.aliyun.fc.runtime.Context;
import com.aliyun.fc.runtime.PojoRequestHandler;
import java.util.Map;

/** CDS training (scripts/setup.d/java.sh): a POJO handler, so Jackson's classes are archived too. */
public class Pojo implements PojoRequestHandler<Map<String, Object>, Map<String, Object>> {
  @Override
  public Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
    return input;
  }
}
