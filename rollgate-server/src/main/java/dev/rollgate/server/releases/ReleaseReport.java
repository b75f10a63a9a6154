package dev.rollgate.server.releases;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDDocumentInformation;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;

/**
 * A release's report, from what {@link ReleaseService#report} gathers: as Markdown, and as a PDF
 * (Apache PDFBox) that sets the same text on A4 pages.
 */
public final class ReleaseReport {
  private ReleaseReport() {}

  /** The report as Markdown. */
  @SuppressWarnings("unchecked")
  public static String markdown(Map<String, Object> r) {
    StringBuilder md = new StringBuilder();
    md.append("# Release ")
        .append(r.get("service"))
        .append(' ')
        .append(r.get("version"))
        .append("\n\n");
    row(md, "Type", r.get("type"));
    row(md, "Phase", r.get("phase"));
    row(md, "Project / environment", r.get("project") + " / " + r.get("environment"));
    row(md, "Flag", r.get("flag") + " (" + r.get("control") + " -> " + r.get("treatment") + ")");
    row(md, "Planned by", r.get("createdBy") + " at " + r.get("createdAt"));
    row(md, "Started", r.get("startedAt"));
    row(md, "Ended", r.get("endedAt"));
    row(md, "Backup", r.get("backupRef"));
    row(md, "Outcome", r.get("reason"));
    row(md, "Report generated", r.get("generatedAt"));
    md.append('\n');
    String notes = (String) r.get("notes");
    if (notes != null && !notes.isBlank()) {
      md.append("## Release notes\n\n").append(notes.strip()).append("\n\n");
    }
    md.append("## Approvals\n\n");
    List<Map<String, Object>> approvals = (List<Map<String, Object>>) r.get("approvals");
    if (approvals.isEmpty()) {
      md.append("None.\n\n");
    } else {
      md.append("Signatures ")
          .append(Boolean.TRUE.equals(r.get("approvalsValid")) ? "verified" : "DO NOT VERIFY")
          .append(" (Ed25519, key ")
          .append(approvals.getFirst().get("keyId"))
          .append(").\n\n| Approver | At | Phase | Comment |\n|---|---|---|---|\n");
      for (Map<String, Object> a : approvals) {
        md.append("| ")
            .append(cell(a.get("approver")))
            .append(" | ")
            .append(cell(a.get("at")))
            .append(" | ")
            .append(cell(a.get("phase")))
            .append(" | ")
            .append(cell(a.get("comment")))
            .append(" |\n");
      }
      md.append('\n');
    }
    md.append("## Waves\n\n| # | Wave | Segment | Percent | Status | Started | Ended |\n");
    md.append("|---|---|---|---|---|---|---|\n");
    List<Map<String, Object>> waves = (List<Map<String, Object>>) r.get("waves");
    for (int i = 0; i < waves.size(); i++) {
      Map<String, Object> w = waves.get(i);
      md.append("| ")
          .append(i + 1)
          .append(" | ")
          .append(cell(w.get("name")))
          .append(" | ")
          .append(cell(w.get("segment") == null ? "everyone" : w.get("segment")))
          .append(" | ")
          .append(cell(w.get("percent")))
          .append(" | ")
          .append(cell(w.get("status")))
          .append(" | ")
          .append(cell(w.get("startedAt")))
          .append(" | ")
          .append(cell(w.get("endedAt")))
          .append(" |\n");
    }
    md.append('\n');
    md.append("## KPI comparison\n\n");
    Map<String, Object> kpi = (Map<String, Object>) r.get("kpi");
    if (kpi == null) {
      md.append("Not made yet (it comes with the post-checks).\n\n");
    } else {
      Map<String, Object> before = (Map<String, Object>) kpi.get("before");
      Map<String, Object> after = (Map<String, Object>) kpi.get("after");
      md.append("Before: ")
          .append(before.get("from"))
          .append(" to ")
          .append(before.get("to"))
          .append("; after: ")
          .append(after.get("from"))
          .append(" to ")
          .append(after.get("to"))
          .append(". ")
          .append(Boolean.TRUE.equals(kpi.get("passed")) ? "Passed." : "FAILED.")
          .append("\n\n| KPI | Rule | Before | After | Status |\n|---|---|---|---|---|\n");
      for (Map<String, Object> k : (List<Map<String, Object>>) kpi.get("kpis")) {
        md.append("| ")
            .append(cell(k.get("name")))
            .append(" | ")
            .append(cell(k.get("rule")))
            .append(" | ")
            .append(number(k.get("before")))
            .append(" | ")
            .append(number(k.get("after")))
            .append(" | ")
            .append(cell(k.get("status")))
            .append(" |\n");
      }
      md.append('\n');
    }
    checks(md, "Pre-checks", (List<Map<String, Object>>) r.get("prechecks"));
    checks(md, "Post-checks", (List<Map<String, Object>>) r.get("postchecks"));
    md.append("## Timeline\n\n| At | Event | Actor | Reason |\n|---|---|---|---|\n");
    for (Map<String, Object> e : (List<Map<String, Object>>) r.get("timeline")) {
      md.append("| ")
          .append(cell(e.get("at")))
          .append(" | ")
          .append(cell(e.get("event")))
          .append(" | ")
          .append(cell(e.get("actor")))
          .append(" | ")
          .append(cell(e.get("reason")))
          .append(" |\n");
    }
    md.append("\n## Audit events\n\n| Seq | At | Action | Actor |\n|---|---|---|---|\n");
    for (Map<String, Object> e : (List<Map<String, Object>>) r.get("auditEvents")) {
      md.append("| ")
          .append(e.get("seq"))
          .append(" | ")
          .append(cell(e.get("at")))
          .append(" | ")
          .append(cell(e.get("action")))
          .append(" | ")
          .append(cell(e.get("actor")))
          .append(" |\n");
    }
    return md.toString();
  }

  private static void checks(StringBuilder md, String title, List<Map<String, Object>> checks) {
    md.append("## ").append(title).append("\n\n");
    if (checks == null) {
      md.append("Not run.\n\n");
      return;
    }
    if (checks.isEmpty()) {
      md.append("None in the plan.\n\n");
      return;
    }
    md.append("| Check | Type | Result | Message |\n|---|---|---|---|\n");
    for (Map<String, Object> c : checks) {
      md.append("| ")
          .append(cell(c.get("name")))
          .append(" | ")
          .append(cell(c.get("type")))
          .append(" | ")
          .append(Boolean.TRUE.equals(c.get("ok")) ? "passed" : "FAILED")
          .append(" | ")
          .append(cell(c.get("message")))
          .append(" |\n");
    }
    md.append('\n');
  }

  private static void row(StringBuilder md, String name, Object value) {
    md.append("- **").append(name).append("**: ").append(value == null ? "-" : value).append('\n');
  }

  private static String cell(Object v) {
    return v == null ? "-" : v.toString().replace("|", "\\|").replace("\n", " ");
  }

  private static String number(Object v) {
    if (v instanceof Double d) {
      return String.format(java.util.Locale.ROOT, "%.4g", d);
    }
    return cell(v);
  }

  // ---- PDF --------------------------------------------------------------------------------------

  private static final float MARGIN = 50;
  private static final float SIZE = 9;
  private static final float LEADING = 12;

  /** The Markdown report set as a PDF: headings large, table rows as plain text lines. */
  public static byte[] pdf(Map<String, Object> r) {
    String md = markdown(r);
    PDType1Font regular = new PDType1Font(Standard14Fonts.FontName.HELVETICA);
    PDType1Font bold = new PDType1Font(Standard14Fonts.FontName.HELVETICA_BOLD);
    try (PDDocument doc = new PDDocument();
        ByteArrayOutputStream out = new ByteArrayOutputStream()) {
      PDDocumentInformation info = doc.getDocumentInformation();
      info.setTitle("Release " + r.get("service") + " " + r.get("version"));
      info.setCreator("Rollgate");
      Pages pages = new Pages(doc);
      for (String line : md.split("\n", -1)) {
        if (line.startsWith("|---")) {
          continue;
        }
        if (line.startsWith("# ")) {
          pages.write(bold, 16, plain(line.substring(2)), 22);
        } else if (line.startsWith("## ")) {
          pages.gap(6);
          pages.write(bold, 12, plain(line.substring(3)), 16);
        } else if (line.startsWith("|")) {
          String cells = line.substring(1, line.length() - 1).replace("\\|", "\u0000");
          List<String> parts = new ArrayList<>();
          for (String c : cells.split("\\|", -1)) {
            parts.add(c.strip().replace("\u0000", "|"));
          }
          pages.wrap(regular, String.join("   ", parts));
        } else if (line.isBlank()) {
          pages.gap(4);
        } else {
          pages.wrap(regular, plain(line.replace("**", "")));
        }
      }
      pages.close();
      doc.save(out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the report's PDF", e);
    }
  }

  /** The standard fonts encode WinAnsi only: anything else shows as '?'. */
  private static String plain(String text) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      out.append(c == '\t' ? ' ' : (c >= 0x20 && c < 0x7f) || (c >= 0xa0 && c <= 0xff) ? c : '?');
    }
    return out.toString();
  }

  /** A cursor down A4 pages, starting a new page when the text reaches the bottom margin. */
  private static final class Pages {
    private final PDDocument doc;
    private PDPageContentStream stream;
    private float y;
    private final float width = PDRectangle.A4.getWidth() - 2 * MARGIN;

    Pages(PDDocument doc) throws IOException {
      this.doc = doc;
      newPage();
    }

    private void newPage() throws IOException {
      if (stream != null) {
        stream.close();
      }
      PDPage page = new PDPage(PDRectangle.A4);
      doc.addPage(page);
      stream = new PDPageContentStream(doc, page);
      y = PDRectangle.A4.getHeight() - MARGIN;
    }

    void gap(float points) {
      y -= points;
    }

    void write(PDType1Font font, float size, String text, float leading) throws IOException {
      if (y - leading < MARGIN) {
        newPage();
      }
      y -= leading;
      stream.beginText();
      stream.setFont(font, size);
      stream.newLineAtOffset(MARGIN, y);
      stream.showText(text);
      stream.endText();
    }

    /** Writes {@code text} in lines that fit the page width. */
    void wrap(PDType1Font font, String text) throws IOException {
      String rest = plain(text);
      while (!rest.isEmpty()) {
        int end = rest.length();
        while (font.getStringWidth(rest.substring(0, end)) / 1000 * SIZE > width) {
          int space = rest.lastIndexOf(' ', end - 1);
          end = space > 0 ? space : end - 1;
        }
        write(font, SIZE, rest.substring(0, end), LEADING);
        rest = rest.substring(end).stripLeading();
      }
    }

    void close() throws IOException {
      stream.close();
    }
  }
}
