package dev.shunt.backend.secrets;

import dev.shunt.backend.core.PageTokens;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.function.Function;

/**
 * NextToken paging for Secrets Manager listings. ListSecrets resumes after the last secret
 * returned, a seek in the index of its sort order (no rescan, no sort); small in-memory lists
 * resume at an offset. Tokens are {@link PageTokens}: opaque, and one Shunt did not make for that
 * listing is {@code InvalidNextTokenException}.
 */
final class Paging {
  private static final String VERSIONS = "secretsmanager.ListSecretVersionIds";
  private static final String SECRETS = "secretsmanager.ListSecrets.";

  private Paging() {}

  static <T> SecretsBackend.Page<T> page(List<T> all, int maxResults, String nextToken) {
    int from = nextToken == null ? 0 : PageTokens.openOffset(VERSIONS, nextToken, all.size());
    if (from < 0) {
      throw SecretsErrors.invalidNextToken();
    }
    int to = Math.min(all.size(), from + maxResults);
    return new SecretsBackend.Page<>(List.copyOf(all.subList(from, to)),
        to < all.size() ? PageTokens.sealOffset(VERSIONS, to) : null);
  }

  /**
   * A page of secrets in {@code sort}'s order (reversed when {@code descending}), starting after
   * the token's position; {@code visible} maps a secret to what the page shows, or to null to skip it.
   */
  @SuppressWarnings("unchecked")
  static SecretsBackend.Page<SecretView> pageBy(SecretsRegion region, SecretsRegion.SortBy sort, boolean descending,
      int maxResults, String nextToken, Function<Secret, SecretView> visible) {
    NavigableMap<Object, Secret> order = (NavigableMap<Object, Secret>) region.index(sort);
    if (descending) {
      order = order.descendingMap();
    }
    if (nextToken != null) {
      order = order.tailMap(position(sort, nextToken), false);
    }
    List<SecretView> page = new ArrayList<>(Math.min(maxResults, 64));
    Object last = null;
    for (Map.Entry<Object, Secret> entry : order.entrySet()) {
      SecretView view = visible.apply(entry.getValue());
      if (view == null) {
        continue;
      }
      if (page.size() == maxResults) {
        return new SecretsBackend.Page<>(page, PageTokens.seal(SECRETS + sort.wire, format(last)));
      }
      page.add(view);
      last = entry.getKey();
    }
    return new SecretsBackend.Page<>(page, null);
  }

  private static String format(Object key) {
    return key instanceof SecretsRegion.OrderKey order ? order.millis() + ":" + order.arn() : (String) key;
  }

  /** The index key a token holds for {@code sort}: a name, or an {@link SecretsRegion.OrderKey}. */
  private static Object position(SecretsRegion.SortBy sort, String token) {
    String position = PageTokens.open(SECRETS + sort.wire, token);
    if (position == null) {
      throw SecretsErrors.invalidNextToken();
    }
    if (sort == SecretsRegion.SortBy.NAME) {
      return position;
    }
    int colon = position.indexOf(':');
    try {
      return new SecretsRegion.OrderKey(Long.parseLong(position.substring(0, colon)), position.substring(colon + 1));
    } catch (RuntimeException e) {
      throw SecretsErrors.invalidNextToken();
    }
  }
}
