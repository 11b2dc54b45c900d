package dev.quill.api.platform;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quill.api.JsonRequest;
import dev.quill.prompts.MessageTemplate;
import dev.quill.prompts.PromptTemplate;
import dev.quill.prompts.Step;
import dev.quill.prompts.lint.LintFinding;
import dev.quill.prompts.lint.PromptLinter;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lints a template that is being edited, before it is saved: {@code POST /api/prompts/lint} with
 * the file text as {@code content} (or the JSON fields of a create request). Each finding carries a
 * {@code replacement} when its suggestion is a rewrite that can replace the excerpt as it stands
 * (the positive form of a negative statement, the itemized paragraph, the numbered sub-tasks)
 * and linting the rewritten text no longer finds the same problem there; advice such as "replace
 * this vague term with a criterion" has none.
 */
@Path("/api/prompts/lint")
@Produces(MediaType.APPLICATION_JSON)
public class PromptLintResource {
    /** The rules whose suggestion is replacement text rather than advice. */
    private static final Set<String> REWRITING_RULES = Set.of("negative-statement", "long-paragraph", "multiple-tasks");
    private static final Pattern MESSAGE_LOCATION = Pattern.compile("message (\\d+) \\(.*\\)");

    private final PromptWorkbench workbench;
    private final ObjectMapper mapper;

    public PromptLintResource(PromptWorkbench workbench, ObjectMapper mapper) {
        this.workbench = workbench;
        this.mapper = mapper;
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    public Map<String, Object> lint(String body) {
        JsonRequest req = JsonRequest.parse(mapper, body);
        req.allowOnly(Set.of("content", "name", "description", "tags", "variables", "body", "messages", "persona"), Set.of());
        PromptTemplate t = workbench.template(req, null);
        List<Map<String, Object>> findings = new ArrayList<>();
        for (LintFinding f : PromptLinter.lint(t)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("rule", f.rule());
            m.put("location", f.location());
            m.put("start", f.start());
            m.put("end", f.end());
            m.put("excerpt", f.excerpt());
            m.put("message", f.message());
            m.put("suggestion", f.suggestion());
            m.put("replacement", replacement(f, textAt(t, f.location())));
            findings.add(m);
        }
        return Map.of("name", t.name(), "findings", findings);
    }

    /** The suggestion, when it is a rewrite that fixes the finding in place; else null. */
    static String replacement(LintFinding f, String text) {
        if (!REWRITING_RULES.contains(f.rule()) || text == null || f.start() >= f.end() || f.end() > text.length()
                || f.suggestion() == null || f.suggestion().isBlank() || !text.substring(f.start(), f.end()).equals(f.excerpt())) {
            return null;
        }
        String rewritten = text.substring(0, f.start()) + f.suggestion() + text.substring(f.end());
        int end = f.start() + f.suggestion().length();
        for (LintFinding again : PromptLinter.lint(rewritten)) {
            if (again.rule().equals(f.rule()) && again.start() < end && again.end() > f.start()) {
                return null;
            }
        }
        return f.suggestion();
    }

    /** The text a finding's location names ("prompt", "message 2 (user)", "step facts"). */
    private static String textAt(PromptTemplate t, String location) {
        if (location.equals("prompt")) {
            return t.body();
        }
        Matcher m = MESSAGE_LOCATION.matcher(location);
        if (m.matches()) {
            int i = Integer.parseInt(m.group(1)) - 1;
            List<MessageTemplate> messages = t.messages();
            return i >= 0 && i < messages.size() ? messages.get(i).body() : null;
        }
        if (location.startsWith("step ")) {
            String name = location.substring(5);
            return t.steps().stream().filter(s -> s.name().equals(name)).map(Step::body).findFirst().orElse(null);
        }
        return null;
    }
}
