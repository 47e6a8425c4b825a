package dev.shunt.backend.ssm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.DescribeParametersRequest;
import software.amazon.awssdk.services.ssm.model.DescribeParametersResponse;
import software.amazon.awssdk.services.ssm.model.GetParameterHistoryRequest;
import software.amazon.awssdk.services.ssm.model.GetParameterHistoryResponse;
import software.amazon.awssdk.services.ssm.model.ParameterHistory;
import software.amazon.awssdk.services.ssm.model.ParameterMetadata;
import software.amazon.awssdk.services.ssm.model.ResourceTypeForTagging;
import software.amazon.awssdk.services.ssm.model.ServiceSetting;

/**
 * Everything one account sees of Parameter Store in one Region, through the SDK: every field of
 * DescribeParameters, GetParameterHistory (decrypted), GetParameter (decrypted), ListTagsForResource
 * and the service settings. SDK model objects compare field by field, so two snapshots are equal
 * only when every field AWS shows is.
 */
final class SsmSnapshot {
  static final List<String> SETTINGS = List.of("/ssm/parameter-store/high-throughput-enabled",
      "/ssm/parameter-store/default-parameter-tier");

  private SsmSnapshot() {}

  static Map<String, Object> of(SsmClient ssm) {
    Map<String, Object> snapshot = new LinkedHashMap<>();
    List<ParameterMetadata> all = describe(ssm);
    snapshot.put("describe", all);
    for (ParameterMetadata metadata : all) {
      String name = metadata.name();
      snapshot.put("history " + name, history(ssm, name, true));
      snapshot.put("get " + name, ssm.getParameter(r -> r.name(name).withDecryption(true)).parameter());
      snapshot.put("tags " + name, ssm.listTagsForResource(r -> r.resourceType(ResourceTypeForTagging.PARAMETER)
          .resourceId(name)).tagList());
    }
    for (String id : SETTINGS) {
      ServiceSetting setting = ssm.getServiceSetting(r -> r.settingId(id)).serviceSetting();
      snapshot.put("setting " + id, setting);
    }
    return snapshot;
  }

  /** Every parameter's history as GetParameterHistory shows it without decryption (SecureStrings' ciphertexts). */
  static Map<String, List<ParameterHistory>> ciphertexts(SsmClient ssm) {
    Map<String, List<ParameterHistory>> out = new LinkedHashMap<>();
    for (ParameterMetadata metadata : describe(ssm)) {
      out.put(metadata.name(), history(ssm, metadata.name(), false));
    }
    return out;
  }

  static List<ParameterMetadata> describe(SsmClient ssm) {
    List<ParameterMetadata> all = new ArrayList<>();
    String token = null;
    do {
      DescribeParametersResponse page = ssm.describeParameters(DescribeParametersRequest.builder().maxResults(50)
          .nextToken(token).build());
      all.addAll(page.parameters());
      token = page.nextToken();
    } while (token != null);
    return all;
  }

  static List<ParameterHistory> history(SsmClient ssm, String name, boolean decrypt) {
    List<ParameterHistory> all = new ArrayList<>();
    String token = null;
    do {
      GetParameterHistoryResponse page = ssm.getParameterHistory(GetParameterHistoryRequest.builder().name(name)
          .withDecryption(decrypt).maxResults(50).nextToken(token).build());
      all.addAll(page.parameters());
      token = page.nextToken();
    } while (token != null);
    return all;
  }
}
