package dev.shunt.examples.servlet;

import dev.shunt.examples.checks.AwsChecks;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * A web application's AWS clients: built once when the application starts (load-on-startup), with
 * the SDK's defaults for Region, credentials and endpoint, as an ordinary application does.
 * {@code GET /checks?foreign=URL} runs {@link AwsChecks#run} with them and answers with its lines,
 * as text/plain, one per line.
 */
public final class ChecksServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  private transient KmsClient kms;
  private transient SecretsManagerClient secrets;
  private transient SsmClient ssm;

  @Override
  public void init() {
    kms = KmsClient.builder().httpClient(UrlConnectionHttpClient.create()).build();
    secrets = SecretsManagerClient.builder().httpClient(UrlConnectionHttpClient.create()).build();
    ssm = SsmClient.builder().httpClient(UrlConnectionHttpClient.create()).build();
  }

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
    String foreign = request.getParameter("foreign");
    List<String> lines;
    if (foreign == null || foreign.isEmpty()) {
      lines = AwsChecks.run(kms, secrets, ssm, null);
    } else {
      try (S3Client foreignS3 = AwsChecks.foreignS3(URI.create(foreign))) {
        lines = AwsChecks.run(kms, secrets, ssm, foreignS3);
      }
    }
    response.setContentType("text/plain");
    response.setCharacterEncoding(StandardCharsets.UTF_8.name());
    PrintWriter out = response.getWriter();
    for (String line : lines) {
      out.print(line);
      out.print('\n');
    }
  }

  @Override
  public void destroy() {
    // Closed with the application, so the container finds none of their threads left behind.
    for (AutoCloseable client : new AutoCloseable[] {kms, secrets, ssm}) {
      if (client != null) {
        try {
          client.close();
        } catch (Exception e) {
          log("closing " + client, e);
        }
      }
    }
  }
}
