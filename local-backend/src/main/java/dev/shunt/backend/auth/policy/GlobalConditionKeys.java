package dev.shunt.backend.auth.policy;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The global condition keys of a request to any of the three services, answered when a policy
 * reads one: {@code aws:CurrentTime}, {@code aws:EpochTime}, {@code aws:SourceIp},
 * {@code aws:ResourceTag/K} (the resource's tags), {@code aws:RequestTag/K} and {@code aws:TagKeys}
 * (the tags the request sets, {@code Tags}, and the keys it removes, {@code TagKeys}). A service
 * adds its own keys by extending it.
 */
public class GlobalConditionKeys implements ConditionKeySource {
  private static final String RESOURCE_TAG = "aws:resourcetag/";
  private static final String REQUEST_TAG = "aws:requesttag/";

  private final Instant now;
  private final String sourceIp;
  private final Map<String, String> resourceTags;
  private final JsonNode input;
  private final String tagKeyField;
  private final String tagValueField;

  /**
   * {@code input}: the request (or null); {@code tagKeyField}/{@code tagValueField}: how its
   * {@code Tags} members name a tag's key and value ({@code Key}/{@code Value}, KMS's
   * {@code TagKey}/{@code TagValue}).
   */
  public GlobalConditionKeys(Instant now, String sourceIp, Map<String, String> resourceTags, JsonNode input,
      String tagKeyField, String tagValueField) {
    this.now = now;
    this.sourceIp = sourceIp;
    this.resourceTags = resourceTags;
    this.input = input;
    this.tagKeyField = tagKeyField;
    this.tagValueField = tagValueField;
  }

  @Override
  public List<String> valuesLower(String lowerKey) {
    return switch (lowerKey) {
      case "aws:currenttime" -> List.of(now.toString());
      case "aws:epochtime" -> List.of(Long.toString(now.getEpochSecond()));
      case "aws:sourceip" -> one(sourceIp);
      case "aws:tagkeys" -> tagKeys();
      default -> lowerKey.startsWith(RESOURCE_TAG)
          ? one(ConditionKeySource.member(resourceTags().entrySet(), lowerKey, RESOURCE_TAG.length()))
          : lowerKey.startsWith(REQUEST_TAG) ? one(requestTag(lowerKey)) : null;
    };
  }

  /** The resource's tags (a subclass may read them only when asked). */
  protected Map<String, String> resourceTags() {
    return resourceTags;
  }

  /** The request's member {@code field} if it is a string, else null. */
  protected final String text(String field) {
    JsonNode value = input == null ? null : input.get(field);
    return value != null && value.isTextual() ? value.textValue() : null;
  }

  /** The request's member {@code field} if it is an object, else null. */
  protected final JsonNode object(String field) {
    JsonNode value = input == null ? null : input.get(field);
    return value != null && value.isObject() ? value : null;
  }

  protected static List<String> one(String value) {
    return value == null ? null : List.of(value);
  }

  private String requestTag(String lowerKey) {
    JsonNode tags = input == null ? null : input.get("Tags");
    if (tags == null || !tags.isArray()) {
      return null;
    }
    int prefix = REQUEST_TAG.length();
    int length = lowerKey.length() - prefix;
    for (JsonNode tag : tags) {
      JsonNode key = tag.get(tagKeyField);
      if (key != null && key.isTextual() && key.textValue().length() == length
          && key.textValue().regionMatches(true, 0, lowerKey, prefix, length)) {
        JsonNode value = tag.get(tagValueField);
        return value != null && value.isTextual() ? value.textValue() : "";
      }
    }
    return null;
  }

  private List<String> tagKeys() {
    JsonNode tags = input == null ? null : input.get("Tags");
    JsonNode removed = input == null ? null : input.get("TagKeys");
    List<String> keys = null;
    if (tags != null && tags.isArray()) {
      keys = new ArrayList<>(tags.size());
      for (JsonNode tag : tags) {
        JsonNode key = tag.get(tagKeyField);
        if (key != null && key.isTextual()) {
          keys.add(key.textValue());
        }
      }
    }
    if (removed != null && removed.isArray()) {
      keys = keys == null ? new ArrayList<>(removed.size()) : keys;
      for (JsonNode key : removed) {
        if (key.isTextual()) {
          keys.add(key.textValue());
        }
      }
    }
    return keys == null || keys.size() < 2 ? keys : new ArrayList<>(new java.util.LinkedHashSet<>(keys));
  }
}
