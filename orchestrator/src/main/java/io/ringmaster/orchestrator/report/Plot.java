package io.ringmaster.orchestrator.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One line plot of a benchmark's table ({@code --plot FILE}): named series of (x, y) points, drawn by the
 * same script as the run report ({@link ReportPage#plots}).
 */
public final class Plot {

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final Map<String, List<double[]>> series = new LinkedHashMap<>();
    private final Map<String, String> colors = new LinkedHashMap<>();

    public Plot(String title, String xLabel, String yLabel) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    /** Adds the point ({@code x}, {@code y}) to series {@code name} (created on first use, in order). */
    public synchronized Plot add(String name, double x, double y) {
        series.computeIfAbsent(name, n -> new ArrayList<>()).add(new double[] {x, y});
        return this;
    }

    /** Draws series {@code name} in {@code color} (CSS) instead of the next of the page's palette. */
    public synchronized Plot color(String name, String color) {
        colors.put(name, color);
        return this;
    }

    /** The plot as the page's script reads it. */
    synchronized Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("title", title);
        m.put("xLabel", xLabel);
        m.put("yLabel", yLabel);
        List<Map<String, Object>> s = new ArrayList<>();
        series.forEach((name, points) -> {
            Map<String, Object> one = new LinkedHashMap<>(Map.of("name", name, "points", points));
            if (colors.containsKey(name)) {
                one.put("color", colors.get(name));
            }
            s.add(one);
        });
        m.put("series", s);
        return m;
    }
}
