/*
 * The native half of a pre-warmed Java agent's specialisation (kumo.agent.Prewarm): a JVM reads its process
 * environment once, so becoming a function's instance means replacing it at both levels:
 *   - the C environment (clearenv + putenv), which child processes started without an explicit environment inherit;
 *   - java.lang.ProcessEnvironment's map, which System.getenv() and ProcessBuilder.environment() read, refilled from
 *     the new C environment by the JDK's own code (ProcessEnvironment.environ(), Variable/Value.valueOf(byte[])), as
 *     its static initialiser fills it at a normal start. JNI is not subject to Java's access checks, so the agent's
 *     command needs no --add-opens (and stays the normal start's).
 * It also changes the working directory (the code was mounted over it after the process started).
 * Built by scripts/setup.d/java.sh into runtimes/java/target/libkumo-prewarm.so.
 */
#include <jni.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failed(JNIEnv *jni) {
  return (*jni)->ExceptionCheck(jni) == JNI_TRUE;
}

/* Replaces the C environment with `entries` ("NAME=value" bytes each); 0 on success. */
static int replace_c_environment(JNIEnv *jni, jobjectArray entries) {
  jsize count = (*jni)->GetArrayLength(jni, entries);
  if (clearenv() != 0) return -1;
  for (jsize i = 0; i < count; i++) {
    jbyteArray entry = (jbyteArray)(*jni)->GetObjectArrayElement(jni, entries, i);
    jsize length = (*jni)->GetArrayLength(jni, entry);
    char *text = malloc((size_t)length + 1); /* owned by the environment from now on (putenv) */
    if (!text) return -1;
    (*jni)->GetByteArrayRegion(jni, entry, 0, length, (jbyte *)text);
    text[length] = '\0';
    (*jni)->DeleteLocalRef(jni, entry);
    if (strlen(text) != (size_t)length || !strchr(text, '=') || text[0] == '=' || putenv(text) != 0) {
      free(text);
      return -1;
    }
  }
  return 0;
}

/* Refills ProcessEnvironment.theEnvironment from the C environment, as its static initialiser does. */
static int refill_java_environment(JNIEnv *jni) {
  jclass pe = (*jni)->FindClass(jni, "java/lang/ProcessEnvironment");
  if (!pe) return -1;
  jfieldID field = (*jni)->GetStaticFieldID(jni, pe, "theEnvironment", "Ljava/util/HashMap;");
  jmethodID environ_ = (*jni)->GetStaticMethodID(jni, pe, "environ", "()[[B");
  jclass variable = (*jni)->FindClass(jni, "java/lang/ProcessEnvironment$Variable");
  jclass value = (*jni)->FindClass(jni, "java/lang/ProcessEnvironment$Value");
  jclass hashMap = (*jni)->FindClass(jni, "java/util/HashMap");
  if (failed(jni) || !field || !environ_ || !variable || !value || !hashMap) return -1;
  jmethodID variableOf =
      (*jni)->GetStaticMethodID(jni, variable, "valueOf", "([B)Ljava/lang/ProcessEnvironment$Variable;");
  jmethodID valueOf = (*jni)->GetStaticMethodID(jni, value, "valueOf", "([B)Ljava/lang/ProcessEnvironment$Value;");
  jmethodID clear = (*jni)->GetMethodID(jni, hashMap, "clear", "()V");
  jmethodID put = (*jni)->GetMethodID(jni, hashMap, "put", "(Ljava/lang/Object;Ljava/lang/Object;)Ljava/lang/Object;");
  if (failed(jni) || !variableOf || !valueOf || !clear || !put) return -1;
  jobject map = (*jni)->GetStaticObjectField(jni, pe, field);
  jobjectArray pairs = (jobjectArray)(*jni)->CallStaticObjectMethod(jni, pe, environ_);
  if (failed(jni) || !map || !pairs) return -1;
  (*jni)->CallVoidMethod(jni, map, clear);
  jsize length = (*jni)->GetArrayLength(jni, pairs);
  for (jsize i = length - 1; i > 0; i -= 2) {
    jobject name = (*jni)->GetObjectArrayElement(jni, pairs, i - 1);
    jobject text = (*jni)->GetObjectArrayElement(jni, pairs, i);
    jobject key = (*jni)->CallStaticObjectMethod(jni, variable, variableOf, name);
    jobject val = (*jni)->CallStaticObjectMethod(jni, value, valueOf, text);
    if (failed(jni)) return -1;
    (*jni)->CallObjectMethod(jni, map, put, key, val);
    if (failed(jni)) return -1;
    (*jni)->DeleteLocalRef(jni, name);
    (*jni)->DeleteLocalRef(jni, text);
    (*jni)->DeleteLocalRef(jni, key);
    (*jni)->DeleteLocalRef(jni, val);
  }
  return 0;
}

JNIEXPORT jboolean JNICALL Java_kumo_agent_Prewarm_become(JNIEnv *jni, jclass self, jobjectArray entries,
                                                          jbyteArray directory) {
  (void)self;
  jsize length = (*jni)->GetArrayLength(jni, directory);
  char dir[4096];
  if (length <= 0 || length >= (jsize)sizeof dir) return JNI_FALSE;
  (*jni)->GetByteArrayRegion(jni, directory, 0, length, (jbyte *)dir);
  dir[length] = '\0';
  if (chdir(dir) != 0) return JNI_FALSE;
  if (replace_c_environment(jni, entries) != 0) return JNI_FALSE;
  return refill_java_environment(jni) == 0 ? JNI_TRUE : JNI_FALSE;
}
