package dev.shunt.backend.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One AWS service's API model (the botocore JSON the SDKs are generated from), compiled into
 * input validators. Loaded once at start; every request of the service is checked against it,
 * so each operation gets AWS's limits, enums, patterns and required members without hand-written
 * checks.
 */
public final class ServiceModel {
  private final String serviceId;
  private final String displayName;
  private final String sdkName;
  private final String targetPrefix;
  private final String signingName;
  private final Map<String, ShapeValidator.StructureShape> inputs;
  private final Map<String, ShapeValidator> outputs;
  private final Map<String, ShapeValidator> compiled = new HashMap<>();
  private final JsonNode shapes;

  private ServiceModel(JsonNode root) {
    JsonNode metadata = root.path("metadata");
    this.serviceId = metadata.path("serviceId").asText();
    this.displayName = serviceId.replace(" ", "");
    this.sdkName = displayName.equals(displayName.toUpperCase(java.util.Locale.ROOT))
        ? displayName.charAt(0) + displayName.substring(1).toLowerCase(java.util.Locale.ROOT) : displayName;
    this.targetPrefix = metadata.path("targetPrefix").asText();
    this.signingName = metadata.has("signingName") ? metadata.path("signingName").asText()
        : metadata.path("endpointPrefix").asText();
    this.shapes = root.path("shapes");
    Map<String, ShapeValidator.StructureShape> byOperation = new TreeMap<>();
    Map<String, ShapeValidator> outputsByOperation = new HashMap<>();
    Iterator<Map.Entry<String, JsonNode>> operations = root.path("operations").fields();
    while (operations.hasNext()) {
      Map.Entry<String, JsonNode> operation = operations.next();
      JsonNode input = operation.getValue().path("input").path("shape");
      ShapeValidator.StructureShape validator = input.isMissingNode()
          ? new ShapeValidator.StructureShape()
          : (ShapeValidator.StructureShape) compile(input.asText());
      byOperation.put(operation.getKey(), validator);
      JsonNode output = operation.getValue().path("output").path("shape");
      outputsByOperation.put(operation.getKey(), output.isMissingNode() ? new ShapeValidator.StructureShape()
          : compile(output.asText()));
    }
    this.inputs = Collections.unmodifiableMap(byOperation);
    this.outputs = Map.copyOf(outputsByOperation);
    compiled.clear();
  }

  /** Loads {@code dev/shunt/backend/model/<name>.json} from the class path. */
  public static ServiceModel load(String name) {
    String resource = "/dev/shunt/backend/model/" + name + ".json";
    try (InputStream in = ServiceModel.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("No service model at " + resource);
      }
      return new ServiceModel(new ObjectMapper().readTree(in));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String serviceId() {
    return serviceId;
  }

  /** The service id without spaces, as span names spell it: {@code KMS}, {@code SecretsManager}, {@code SSM}. */
  public String displayName() {
    return displayName;
  }

  /**
   * The service as the AWS SDK for Java names it ({@code Kms}, {@code SecretsManager},
   * {@code Ssm}), which OpenTelemetry's AWS SDK instrumentation reports as {@code rpc.service}.
   */
  public String sdkName() {
    return sdkName;
  }

  /** The {@code X-Amz-Target} prefix, e.g. {@code TrentService}. */
  public String targetPrefix() {
    return targetPrefix;
  }

  /** The SigV4 signing name, e.g. {@code kms}. */
  public String signingName() {
    return signingName;
  }

  public Set<String> operationNames() {
    return inputs.keySet();
  }

  /**
   * Checks an operation's input in place: throws {@code SerializationException} for a value of
   * the wrong type and {@code ValidationException} listing every constraint broken; leaves blobs
   * decoded as binary nodes.
   */
  public void validateInput(String operation, ObjectNode input) {
    ShapeValidator.StructureShape shape = inputs.get(operation);
    if (shape == null) {
      throw new IllegalArgumentException("Operation " + operation + " is not in the " + serviceId + " model");
    }
    Violations violations = new Violations();
    shape.check(input, "", violations);
    violations.throwIfAny();
  }

  /** An operation's input as an audit record keeps it (see {@link ShapeValidator#recorded}). */
  public ObjectNode recordedInput(String operation, JsonNode input) {
    ShapeValidator shape = inputs.get(operation);
    return shape == null || input == null ? null : (ObjectNode) shape.recorded(input);
  }

  /** An operation's output as an audit record keeps it, or null for an output that is not a structure. */
  public ObjectNode recordedOutput(String operation, JsonNode output) {
    ShapeValidator shape = outputs.get(operation);
    JsonNode recorded = shape == null || output == null ? null : shape.recorded(output);
    return recorded instanceof ObjectNode object ? object : null;
  }

  private ShapeValidator compile(String name) {
    ShapeValidator known = compiled.get(name);
    if (known != null) {
      return known;
    }
    JsonNode shape = shapes.path(name);
    boolean sensitive = shape.path("sensitive").asBoolean(false);
    Integer min = shape.has("min") ? shape.get("min").asInt() : null;
    Integer max = shape.has("max") ? shape.get("max").asInt() : null;
    String type = shape.path("type").asText();
    ShapeValidator validator;
    switch (type) {
      case "string" -> {
        Pattern pattern = null;
        String patternText = shape.path("pattern").asText(null);
        if (patternText != null) {
          try {
            pattern = Pattern.compile(patternText, Pattern.DOTALL);
          } catch (PatternSyntaxException e) {
            patternText = null; // a pattern Java cannot read is not enforced
          }
        }
        Set<String> enumValues = null;
        String enumText = null;
        if (shape.has("enum")) {
          enumValues = new LinkedHashSet<>();
          for (JsonNode value : shape.get("enum")) {
            enumValues.add(value.asText());
          }
          enumText = new ArrayList<>(enumValues).toString();
          enumValues = Set.copyOf(enumValues);
        }
        validator = new ShapeValidator.StringShape(sensitive, min, max, pattern, patternText, enumValues, enumText);
      }
      case "integer", "long", "double", "float" -> validator = new ShapeValidator.NumberShape(type,
          shape.has("min") ? shape.get("min").asDouble() : null,
          shape.has("max") ? shape.get("max").asDouble() : null);
      case "boolean" -> validator = new ShapeValidator.BooleanShape();
      case "timestamp" -> validator = new ShapeValidator.TimestampShape();
      case "blob" -> validator = new ShapeValidator.BlobShape(sensitive, min, max);
      case "list" -> {
        ShapeValidator.ListShape list = new ShapeValidator.ListShape(sensitive, min, max);
        compiled.put(name, list);
        list.member = compile(shape.path("member").path("shape").asText());
        validator = list;
      }
      case "map" -> {
        ShapeValidator.MapShape map = new ShapeValidator.MapShape(sensitive, min, max);
        compiled.put(name, map);
        map.key = compile(shape.path("key").path("shape").asText());
        map.value = compile(shape.path("value").path("shape").asText());
        validator = map;
      }
      case "structure" -> {
        if (shape.path("document").asBoolean(false)) {
          validator = new ShapeValidator.AnyShape();
          break;
        }
        ShapeValidator.StructureShape structure = new ShapeValidator.StructureShape(sensitive);
        compiled.put(name, structure);
        Set<String> required = new HashSet<>();
        shape.path("required").forEach(r -> required.add(r.asText()));
        List<ShapeValidator.StructureShape.Member> members = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> fields = shape.path("members").fields();
        while (fields.hasNext()) {
          Map.Entry<String, JsonNode> member = fields.next();
          String memberName = member.getKey();
          String pathName = Character.toLowerCase(memberName.charAt(0)) + memberName.substring(1);
          members.add(new ShapeValidator.StructureShape.Member(memberName, pathName,
              ShapeValidator.recordName(memberName), compile(member.getValue().path("shape").asText()),
              required.contains(memberName)));
        }
        structure.members = members.toArray(new ShapeValidator.StructureShape.Member[0]);
        validator = structure;
      }
      default -> validator = new ShapeValidator.AnyShape();
    }
    compiled.put(name, validator);
    return validator;
  }
}
