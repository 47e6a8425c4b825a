package dev.shunt.backend.http;

import io.netty.handler.codec.DateFormatter;
import java.util.Date;

/** The {@code Date} response header, formatted once a second rather than once a request. */
final class HttpDates {
  private static volatile long cachedSecond = -1;
  private static volatile String cachedValue = "";

  private HttpDates() {}

  static String now() {
    long second = System.currentTimeMillis() / 1000;
    if (second != cachedSecond) {
      cachedValue = DateFormatter.format(new Date(second * 1000));
      cachedSecond = second;
    }
    return cachedValue;
  }
}
