package dev.shunt.backend.secrets;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.function.Function;

/**
 * NextToken paging for Secrets Manager listings. Creation-ordered listings resume after the
 * last secret returned (a skip-list seek, no rescan); small in-memory lists resume at an offset.
 * Tokens are opaque base64; a token Shunt did not make is {@code InvalidNextTokenException}.
 */
final class Paging {
  private Paging() {}

  static <T> SecretsBackend.Page<T> page(List<T> all, int maxResults, String nextToken) {
    int from = nextToken == null ? 0 : offset(nextToken);
    if (from > all.size()) {
      throw SecretsErrors.invalidNextToken();
    }
    int to = Math.min(all.size(), from + maxResults);
    return new SecretsBackend.Page<>(List.copyOf(all.subList(from, to)),
        to < all.size() ? encode("o:" + to) : null);
  }

  static SecretsBackend.Page<SecretView> pageByOrder(SecretsRegion region, Instant now, boolean descending,
      int maxResults, String nextToken, Function<Secret, SecretView> visible) {
    NavigableMap<SecretsRegion.OrderKey, Secret> order = descending ? region.byCreation.descendingMap()
        : region.byCreation;
    if (nextToken != null) {
      order = order.tailMap(orderKey(nextToken), false);
    }
    List<SecretView> page = new ArrayList<>(Math.min(maxResults, 64));
    SecretsRegion.OrderKey last = null;
    for (Map.Entry<SecretsRegion.OrderKey, Secret> entry : order.entrySet()) {
      SecretView view = visible.apply(entry.getValue());
      if (view == null) {
        continue;
      }
      if (page.size() == maxResults) {
        return new SecretsBackend.Page<>(page, encode("k:" + last.createdMillis() + ":" + last.arn()));
      }
      page.add(view);
      last = entry.getKey();
    }
    return new SecretsBackend.Page<>(page, null);
  }

  private static int offset(String token) {
    String decoded = decode(token);
    if (!decoded.startsWith("o:")) {
      throw SecretsErrors.invalidNextToken();
    }
    try {
      int offset = Integer.parseInt(decoded.substring(2));
      if (offset < 0) {
        throw SecretsErrors.invalidNextToken();
      }
      return offset;
    } catch (NumberFormatException e) {
      throw SecretsErrors.invalidNextToken();
    }
  }

  private static SecretsRegion.OrderKey orderKey(String token) {
    String decoded = decode(token);
    int colon = decoded.indexOf(':', 2);
    if (!decoded.startsWith("k:") || colon < 0) {
      throw SecretsErrors.invalidNextToken();
    }
    try {
      return new SecretsRegion.OrderKey(Long.parseLong(decoded.substring(2, colon)), decoded.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw SecretsErrors.invalidNextToken();
    }
  }

  private static String encode(String token) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(token.getBytes(StandardCharsets.UTF_8));
  }

  private static String decode(String token) {
    try {
      return new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw SecretsErrors.invalidNextToken();
    }
  }
}
