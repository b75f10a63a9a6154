package dev.rollgate.cli.admin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rollgate.cli.client.Api;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A few figures an operator looks at first, read from the Prometheus text of /metrics. */
final class PrometheusSummary {
  // name{labels} value  (labels optional; timestamps are not written by our server)
  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})?\\s+(\\S+)");
  private static final Pattern STATUS = Pattern.compile("status=\"(\\d)\\d\\d\"");

  private PrometheusSummary() {}

  static ObjectNode of(String text) {
    double requests = 0;
    double serverErrors = 0;
    double seconds = 0;
    double active = 0;
    double streams = 0;
    double dropped = 0;
    double uptime = 0;
    double poolActive = 0;
    double poolMax = 0;
    double evaluations = 0;
    double events = 0;
    int samples = 0;
    for (String line : text.split("\n", -1)) {
      Matcher m = SAMPLE.matcher(line);
      if (line.startsWith("#") || !m.find()) {
        continue;
      }
      double value;
      try {
        value = Double.parseDouble(m.group(3));
      } catch (NumberFormatException e) {
        continue;
      }
      samples++;
      String labels = m.group(2) == null ? "" : m.group(2);
      switch (m.group(1)) {
        case "http_server_requests_seconds_count" -> {
          requests += value;
          Matcher status = STATUS.matcher(labels);
          if (status.find() && status.group(1).equals("5")) {
            serverErrors += value;
          }
        }
        case "http_server_requests_seconds_sum" -> seconds += value;
        case "http_server_requests_active" -> active += value;
        case "rollgate_stream_clients" -> streams += value;
        case "rollgate_outcomes_dropped" -> dropped += value;
        case "process_uptime_seconds" -> uptime = value;
        case "hikaricp_connections_active" -> poolActive += value;
        case "hikaricp_connections_max" -> poolMax += value;
        case "rollgate_flag_evaluations_total" -> evaluations += value;
        case "rollgate_events_received_total" -> events += value;
        default -> {}
      }
    }
    ObjectNode summary = Api.JSON.createObjectNode();
    summary.put("requests", (long) requests);
    summary.put("serverErrors", (long) serverErrors);
    summary.put("serverErrorRate", requests == 0 ? 0 : round(serverErrors / requests));
    summary.put("meanLatencyMs", requests == 0 ? 0 : round(1000 * seconds / requests));
    summary.put("activeRequests", (long) active);
    summary.put("evaluations", (long) evaluations);
    summary.put("eventsReceived", (long) events);
    summary.put("streamClients", (long) streams);
    summary.put("outcomesDropped", (long) dropped);
    summary.put("storeConnectionsActive", (long) poolActive);
    summary.put("storeConnectionsMax", (long) poolMax);
    summary.put("uptimeSeconds", (long) uptime);
    summary.put("samples", samples);
    return summary;
  }

  private static double round(double value) {
    return Math.round(value * 10_000) / 10_000.0;
  }
}
