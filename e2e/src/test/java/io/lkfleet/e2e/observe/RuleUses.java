package io.lkfleet.e2e.observe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What each alert rule needs from the scraped series: the metric selectors of its expression (name
 * and label matchers) and the labels it groups or matches by or prints ({@code $labels.x}), which
 * every series it selects must carry. A small reading of PromQL, enough for the shipped rules.
 */
record RuleUses(String alert, String expr, List<Selector> selectors, Set<String> labels) {

    /** One vector selector: {@code name{label op "value", ...}}. */
    record Selector(String metric, Map<String, String> equalTo, String text) {
    }

    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left",
            "group_right", "and", "or", "unless", "bool", "offset", "inf", "nan");
    private static final Pattern GROUPING = Pattern.compile("\\b(?:by|without|on|ignoring)\\s*\\(([^)]*)\\)");
    private static final Pattern TOKEN = Pattern.compile(
            "\\[[^\\]]*]|\"[^\"]*\"|\\b(?:by|without|on|ignoring)\\s*\\([^)]*\\)"
                    // a name followed by "(" or by "by"/"without" is a function or an aggregation
                    + "|([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\{[^}]*})?(\\s*\\(|\\s+(?:by|without)\\s*\\([^)]*\\))?|[0-9.]+");
    private static final Pattern MATCHER = Pattern.compile("(\\w+)\\s*(=~|!~|!=|=)\\s*\"([^\"]*)\"");
    private static final Pattern TEMPLATE_LABEL = Pattern.compile("\\$labels\\.(\\w+)");

    static List<RuleUses> read(Path rulesDir) {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        List<RuleUses> uses = new ArrayList<>();
        try (Stream<Path> files = Files.list(rulesDir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yml")).sorted().toList()) {
                for (JsonNode group : yaml.readTree(file.toFile()).path("groups")) {
                    for (JsonNode rule : group.path("rules")) {
                        uses.add(of(rule.path("alert").asText(rule.path("record").asText()), rule.path("expr").asText(),
                                rule.path("annotations").toString()));
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the rules in " + rulesDir, e);
        }
        return uses;
    }

    static RuleUses of(String alert, String expr, String annotations) {
        Set<String> labels = new LinkedHashSet<>();
        Matcher grouping = GROUPING.matcher(expr);
        while (grouping.find()) {
            Stream.of(grouping.group(1).split(",")).map(String::trim).filter(l -> !l.isEmpty())
                    .forEach(labels::add);
        }
        Matcher printed = TEMPLATE_LABEL.matcher(annotations);
        while (printed.find()) {
            labels.add(printed.group(1));
        }
        List<Selector> selectors = new ArrayList<>();
        Matcher token = TOKEN.matcher(expr);
        while (token.find()) {
            String name = token.group(1);
            boolean call = token.group(3) != null;
            if (name == null || call || KEYWORDS.contains(name.toLowerCase())) {
                continue;
            }
            Map<String, String> equalTo = new LinkedHashMap<>();
            String braces = token.group(2) == null ? "" : token.group(2).strip();
            Matcher m = MATCHER.matcher(braces);
            while (m.find()) {
                if (m.group(2).equals("=")) {
                    equalTo.put(m.group(1), m.group(3));
                }
            }
            selectors.add(new Selector(name, equalTo, name + braces));
        }
        return new RuleUses(alert, expr, selectors, labels);
    }
}
