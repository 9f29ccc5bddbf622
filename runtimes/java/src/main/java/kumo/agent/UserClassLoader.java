package kumo.agent;

import java.io.File;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Loads the function's classes as FC's Java runtime does: the JDK first; `com.aliyun.fc.runtime.*` and
 * `javax.servlet.*` from the runtime (so a fat jar's own copy of fc-java-core implements the same interfaces
 * the agent calls); everything else from the code only. The agent's classes and its own libraries (Jackson)
 * are invisible to user code, which may bundle any version of them.
 */
final class UserClassLoader extends URLClassLoader {
  static {
    registerAsParallelCapable();
  }

  private static final String[] SHARED = {"com.aliyun.fc.runtime.", "javax.servlet."};
  private final ClassLoader runtime = UserClassLoader.class.getClassLoader();
  private final ClassLoader javase = ClassLoader.getPlatformClassLoader();

  UserClassLoader(URL[] urls) {
    super(urls, ClassLoader.getPlatformClassLoader());
  }

  @Override
  protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
    synchronized (getClassLoadingLock(name)) {
      Class<?> loaded = findLoadedClass(name);
      if (loaded == null) {
        if (isShared(name)) loaded = runtime.loadClass(name);
        else if (javase.getResource(name.replace('.', '/') + ".class") != null) loaded = javase.loadClass(name);
        else loaded = findClass(name);
      }
      if (resolve) resolveClass(loaded);
      return loaded;
    }
  }

  private static boolean isShared(String name) {
    for (String prefix : SHARED) if (name.startsWith(prefix)) return true;
    return false;
  }

  /**
   * FC's class path of a function: a code file (a jar) as is; for a folder: the folder and its jars,
   * `lib/*.jar`, `WEB-INF/classes`, `WEB-INF/lib/*.jar`, then the layers' `/opt/java/lib/*.jar` and the
   * entries of a CLASSPATH variable.
   */
  static URL[] codeUrls(String codePath, String optPath, String classPathVar) {
    File code = new File(codePath);
    List<URL> urls = new ArrayList<>();
    if (code.isFile()) {
      urls.add(url(code));
    } else {
      addDirAndJars(urls, code, true);
      addDirAndJars(urls, new File(code, "lib"), false);
      addDirAndJars(urls, new File(code, "WEB-INF/classes"), true);
      addDirAndJars(urls, new File(code, "WEB-INF/lib"), false);
    }
    addDirAndJars(urls, new File(optPath, "java/lib"), false);
    if (classPathVar != null && !classPathVar.isEmpty()) {
      for (String entry : classPathVar.split(":")) {
        if (entry.endsWith("*")) addDirAndJars(urls, new File(entry.substring(0, entry.length() - 1)), false);
        else if (new File(entry).exists()) urls.add(url(new File(entry)));
      }
    }
    return urls.toArray(new URL[0]);
  }

  private static void addDirAndJars(List<URL> urls, File dir, boolean includeDir) {
    if (!dir.isDirectory()) return;
    if (includeDir) urls.add(url(dir));
    String[] names = dir.list();
    if (names == null) return;
    Arrays.sort(names);
    for (String name : names) {
      File file = new File(dir, name);
      if ((name.endsWith(".jar") || name.endsWith(".JAR")) && file.isFile()) urls.add(url(file));
    }
  }

  private static URL url(File file) {
    try {
      return file.toURI().toURL();
    } catch (MalformedURLException e) {
      throw new IllegalArgumentException("Error creating url from '" + file + "'", e);
    }
  }
}
