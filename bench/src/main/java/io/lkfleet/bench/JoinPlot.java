package io.lkfleet.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The README's picture of a join run, as a self-contained SVG: join latency per join (top) and each
 * node's forwarded tracks over the same seconds (bottom; solid = lkfleet's model, dashed = LiveKit's
 * num_tracks_out), so a reader sees the load arrive on the nodes the router chose and the model
 * following LiveKit.
 */
final class JoinPlot {
    private static final int WIDTH = 1000;
    private static final int PANEL = 200;
    private static final int LEFT = 70;
    private static final int RIGHT = 300;
    private static final int TOP = 40;
    private static final int GAP = 60;
    private static final String[] NODE_COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2"};
    private static final String[] REGION_COLOURS = {"#ff7f0e", "#17becf", "#7f7f7f", "#bcbd22"};

    private JoinPlot() {
    }

    static String svg(long startedAt, List<JoinBench.Join> joins, List<JoinBench.NodeSample> samples) {
        double end = Math.max(1, Math.max(
                joins.stream().mapToLong(JoinBench.Join::at).max().orElse(startedAt),
                samples.stream().mapToLong(JoinBench.NodeSample::at).max().orElse(startedAt)) - startedAt) / 1000.0;
        double maxLatency = Math.max(100, joins.stream().filter(JoinBench.Join::ok).mapToLong(JoinBench.Join::totalMs).max().orElse(0));
        double maxLoad = Math.max(1, samples.stream().mapToLong(s -> Math.max(s.model(), s.measured())).max().orElse(0));
        int plotWidth = WIDTH - LEFT - RIGHT;
        int height = TOP + 2 * PANEL + GAP + 40;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">%n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n",
                WIDTH, height));
        svg.append(text(LEFT, 20, "Join latency (token → first media) and node load during bench/run's join run", "bold"));

        int top1 = TOP;
        int top2 = TOP + PANEL + GAP;
        axes(svg, top1, plotWidth, end, maxLatency, "join latency (ms)");
        axes(svg, top2, plotWidth, end, maxLoad, "forwarded tracks per node");

        List<String> regions = joins.stream().map(JoinBench.Join::region).distinct().sorted().toList();
        for (JoinBench.Join join : joins) {
            double x = LEFT + (join.at() - startedAt) / 1000.0 / end * plotWidth;
            String colour = REGION_COLOURS[regions.indexOf(join.region()) % REGION_COLOURS.length];
            if (join.ok()) {
                double y = top1 + PANEL - join.totalMs() / maxLatency * PANEL;
                svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>%n", x, y, colour));
            } else {
                svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" fill=\"%s\">×</text>%n", x, top1 + 12, colour));
            }
        }
        List<String> legend = new ArrayList<>();
        for (int i = 0; i < regions.size(); i++) {
            legend.add(REGION_COLOURS[i % REGION_COLOURS.length] + "|joins routed to " + regions.get(i));
        }

        Map<String, List<JoinBench.NodeSample>> byNode = samples.stream()
                .collect(Collectors.groupingBy(JoinBench.NodeSample::node, TreeMap::new, Collectors.toList()));
        int n = 0;
        for (Map.Entry<String, List<JoinBench.NodeSample>> node : byNode.entrySet()) {
            String colour = NODE_COLOURS[n++ % NODE_COLOURS.length];
            svg.append(line(node.getValue(), startedAt, end, maxLoad, top2, plotWidth, colour, true));
            svg.append(line(node.getValue(), startedAt, end, maxLoad, top2, plotWidth, colour, false));
            legend.add(colour + "|" + node.getKey());
        }
        legend.add("#ffffff|node lines: model solid, LiveKit dashed");
        for (int i = 0; i < legend.size(); i++) {
            String[] entry = legend.get(i).split("\\|", 2);
            int y = TOP + 10 + i * 18;
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>%n",
                    WIDTH - RIGHT + 15, y - 9, entry[0]));
            svg.append(text(WIDTH - RIGHT + 30, y, entry[1], "normal"));
        }
        svg.append(text(LEFT + plotWidth / 2 - 60, height - 8, "seconds since the run started", "normal"));
        return svg.append("</svg>\n").toString();
    }

    private static void axes(StringBuilder svg, int top, int plotWidth, double seconds, double max, String label) {
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>%n",
                LEFT, top, plotWidth, PANEL));
        for (int i = 0; i <= 4; i++) {
            double y = top + PANEL - i * PANEL / 4.0;
            svg.append(text(LEFT - 8, (int) y + 4, String.format(Locale.ROOT, "%.0f", max * i / 4), "end"));
        }
        for (int i = 0; i <= 6; i++) {
            double x = LEFT + i * plotWidth / 6.0;
            svg.append(text((int) x, top + PANEL + 15, String.format(Locale.ROOT, "%.0f", seconds * i / 6), "middle"));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"15\" y=\"%d\" transform=\"rotate(-90 15 %d)\" text-anchor=\"middle\">%s</text>%n",
                top + PANEL / 2, top + PANEL / 2, label));
    }

    private static String line(List<JoinBench.NodeSample> points, long startedAt, double seconds, double max, int top,
            int plotWidth, String colour, boolean model) {
        String path = points.stream().map(p -> String.format(Locale.ROOT, "%.1f,%.1f",
                LEFT + (p.at() - startedAt) / 1000.0 / seconds * plotWidth,
                top + PANEL - (model ? p.model() : p.measured()) / max * PANEL)).collect(Collectors.joining(" "));
        return String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"%s\"%s/>%n",
                path, colour, model ? "2" : "1.5", model ? "" : " stroke-dasharray=\"5,4\"");
    }

    private static String text(int x, int y, String value, String style) {
        String anchor = style.equals("end") || style.equals("middle") ? " text-anchor=\"" + style + "\"" : "";
        String weight = style.equals("bold") ? " font-weight=\"bold\"" : "";
        return String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\"%s%s>%s</text>%n", x, y, anchor, weight,
                value.replace("&", "&amp;").replace("<", "&lt;"));
    }
}
