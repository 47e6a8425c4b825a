package dev.shunt.examples;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;

/**
 * A WireMock server standing in for the endpoints an application owns: its S3-compatible store,
 * with one bucket ({@code foreign-bucket}), and a KMS of its own that knows the key
 * {@code foreign-key} (described as {@code from-foreign}); anything else is answered 418. A call that
 * reaches it was left alone by Shunt; Shunt knows neither the bucket nor the key.
 */
final class ForeignEndpoints {
  private ForeignEndpoints() {}

  static WireMockServer start() {
    WireMockServer foreign = new WireMockServer(WireMockConfiguration.options().dynamicPort());
    foreign.start();
    foreign.stubFor(get(urlPathEqualTo("/")).willReturn(aResponse().withHeader("Content-Type", "application/xml")
        .withBody("<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListAllMyBucketsResult "
            + "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Owner><ID>o</ID></Owner><Buckets><Bucket>"
            + "<Name>foreign-bucket</Name><CreationDate>2020-01-01T00:00:00.000Z</CreationDate></Bucket>"
            + "</Buckets></ListAllMyBucketsResult>")));
    foreign.stubFor(post(anyUrl()).withHeader("X-Amz-Target", containing("TrentService.DescribeKey"))
        .willReturn(aResponse().withHeader("Content-Type", "application/x-amz-json-1.1")
            .withBody("{\"KeyMetadata\":{\"KeyId\":\"foreign-key\",\"Description\":\"from-foreign\"}}")));
    foreign.stubFor(any(anyUrl()).atPriority(10).willReturn(aResponse().withStatus(418)));
    return foreign;
  }
}
