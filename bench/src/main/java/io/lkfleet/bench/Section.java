package io.lkfleet.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One benchmark's outcome: summary rows (our figure beside its peer or ceiling from the same run),
 * notes for people, and the raw numbers for the JSON file.
 */
final class Section {
    /** A summary row; {@code peer} names the peer or ceiling and its figure. */
    record Row(String figure, String lkfleet, String peer, String ratio) {
    }

    final String title;
    final List<Row> rows = new ArrayList<>();
    final List<String> notes = new ArrayList<>();
    final Map<String, Object> raw = new LinkedHashMap<>();
    /** Pictures of this benchmark by file-name suffix (e.g. {@code join.svg}), written beside the results. */
    final Map<String, String> figures = new LinkedHashMap<>();

    Section(String title) {
        this.title = title;
    }

    Section row(String figure, String lkfleet, String peer, String ratio) {
        rows.add(new Row(figure, lkfleet, peer, ratio));
        return this;
    }

    Section note(String text) {
        notes.add(text);
        return this;
    }

    Section figure(String suffix, String svg) {
        figures.put(suffix, svg);
        return this;
    }

    Section raw(String key, Object value) {
        raw.put(key, value);
        return this;
    }

    static String ratio(double ours, double peer) {
        return peer <= 0 ? "n/a" : String.format("%.2f×", ours / peer);
    }

    static String ms(double millis) {
        return millis < 10 ? String.format("%.2f ms", millis) : String.format("%.0f ms", millis);
    }

    static String perSecond(double rate) {
        return String.format("%,.0f/s", rate);
    }
}
