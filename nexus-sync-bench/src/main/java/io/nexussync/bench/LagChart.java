package io.nexussync.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Stroke;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import javax.imageio.ImageIO;

/**
 * Lag over time as a PNG, drawn with java.awt in headless mode: one or more panels stacked, each
 * with lines (say per-second p50, p99 and max) over a shared kind of x axis (seconds), a linear or
 * logarithmic y axis in milliseconds, and optional vertical markers (say "backlog drained").
 */
final class LagChart {
    static final Color RED = new Color(0xd62728), ORANGE = new Color(0xff7f0e), BLUE = new Color(0x1f77b4), GREEN = new Color(0x2ca02c),
            GRAY = new Color(0x7f7f7f), PURPLE = new Color(0x9467bd);

    private static final int WIDTH = 1200, PANEL_HEIGHT = 400, TITLE_HEIGHT = 50;
    private static final int LEFT = 90, RIGHT = 260, TOP = 36, BOTTOM = 56;

    record Series(String name, Color color, double[] x, double[] y, boolean dashed) {}

    record Marker(double x, String label) {}

    /** @param xMax the x axis' end, or 0 to fit the data */
    record Panel(String title, String xLabel, String yLabel, boolean logY, double xMax, List<Series> series, List<Marker> markers) {}

    private LagChart() {}

    static void write(Path file, String title, List<Panel> panels) throws IOException {
        writeGrid(file, title, panels, 1, WIDTH, PANEL_HEIGHT);
    }

    /** The panels in rows of {@code columns}, each {@code width} by {@code height} pixels (a dashboard's grid). */
    static void writeGrid(Path file, String title, List<Panel> panels, int columns, int width, int height) throws IOException {
        System.setProperty("java.awt.headless", "true");
        int rows = (panels.size() + columns - 1) / columns;
        BufferedImage image = new BufferedImage(width * columns, TITLE_HEIGHT + height * rows, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, image.getWidth(), image.getHeight());
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
            g.drawString(title, LEFT, 32);
            for (int i = 0; i < panels.size(); i++) {
                drawPanel(g, panels.get(i), (i % columns) * width, TITLE_HEIGHT + (i / columns) * height, width, height);
            }
        } finally {
            g.dispose();
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        ImageIO.write(image, "png", file.toFile());
    }

    private static void drawPanel(Graphics2D g, Panel panel, int left, int top, int width, int height) {
        int x0 = left + LEFT, x1 = left + width - RIGHT, y0 = top + height - BOTTOM, y1 = top + TOP;
        double maxX = 1, maxY = 0, minPositiveY = Double.MAX_VALUE;
        for (Series s : panel.series()) {
            for (int i = 0; i < s.x().length; i++) {
                maxX = Math.max(maxX, s.x()[i]);
                maxY = Math.max(maxY, s.y()[i]);
                if (s.y()[i] > 0) {
                    minPositiveY = Math.min(minPositiveY, s.y()[i]);
                }
            }
        }
        for (Marker m : panel.markers()) {
            maxX = Math.max(maxX, m.x());
        }
        Axis xAxis = Axis.linear(0, panel.xMax() > 0 ? panel.xMax() : niceCeiling(maxX));
        Axis yAxis = panel.logY()
                ? Axis.log(minPositiveY == Double.MAX_VALUE ? 1 : minPositiveY, Math.max(maxY, 1))
                : Axis.linear(0, niceCeiling(Math.max(maxY * 1.05, 1)));

        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.setColor(Color.BLACK);
        g.drawString(panel.title(), x0, top + 22);
        // grid and ticks
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics fm = g.getFontMetrics();
        for (double tick : yAxis.ticks()) {
            int y = (int) Math.round(y0 - yAxis.fraction(tick) * (y0 - y1));
            g.setColor(new Color(0xe6e6e6));
            g.drawLine(x0, y, x1, y);
            g.setColor(Color.DARK_GRAY);
            String label = format(tick);
            g.drawString(label, x0 - 8 - fm.stringWidth(label), y + fm.getAscent() / 2 - 1);
        }
        for (double tick : xAxis.ticks()) {
            int x = (int) Math.round(x0 + xAxis.fraction(tick) * (x1 - x0));
            g.setColor(new Color(0xe6e6e6));
            g.drawLine(x, y0, x, y1);
            g.setColor(Color.DARK_GRAY);
            String label = format(tick);
            g.drawString(label, x - fm.stringWidth(label) / 2, y0 + fm.getAscent() + 6);
        }
        g.setColor(Color.BLACK);
        g.drawRect(x0, y1, x1 - x0, y0 - y1);
        g.drawString(panel.xLabel(), x0 + (x1 - x0) / 2 - fm.stringWidth(panel.xLabel()) / 2, y0 + 40);
        Graphics2D rotated = (Graphics2D) g.create();
        rotated.rotate(-Math.PI / 2);
        rotated.drawString(panel.yLabel() + (panel.logY() ? " (log scale)" : ""), -(y1 + (y0 - y1) / 2) - fm.stringWidth(panel.yLabel()) / 2, x0 - 62);
        rotated.dispose();

        // lines, clipped to the plot area
        Graphics2D plot = (Graphics2D) g.create();
        plot.clipRect(x0, y1, x1 - x0 + 1, y0 - y1 + 1);
        Stroke dashed = new BasicStroke(1.6f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1, new float[] {6, 4}, 0);
        for (Series s : panel.series()) {
            plot.setColor(s.color());
            plot.setStroke(s.dashed() ? dashed : new BasicStroke(1.8f));
            Path2D.Double path = new Path2D.Double();
            for (int i = 0; i < s.x().length; i++) {
                double px = x0 + xAxis.fraction(s.x()[i]) * (x1 - x0);
                double py = y0 - yAxis.fraction(s.y()[i]) * (y0 - y1);
                if (i == 0) {
                    path.moveTo(px, py);
                } else {
                    path.lineTo(px, py);
                }
            }
            plot.draw(path);
            // a dot per point: a line between two seconds far apart says nothing about the time between them
            for (int i = 0; i < s.x().length; i++) {
                double px = x0 + xAxis.fraction(s.x()[i]) * (x1 - x0);
                double py = y0 - yAxis.fraction(s.y()[i]) * (y0 - y1);
                plot.fill(new java.awt.geom.Ellipse2D.Double(px - 2.5, py - 2.5, 5, 5));
            }
        }
        plot.setStroke(dashed);
        for (Marker m : panel.markers()) {
            int x = (int) Math.round(x0 + xAxis.fraction(m.x()) * (x1 - x0));
            plot.setColor(Color.BLACK);
            plot.drawLine(x, y0, x, y1);
            plot.drawString(m.label(), Math.min(x + 4, x1 - fm.stringWidth(m.label()) - 4), y1 + 14);
        }
        plot.dispose();

        // legend
        int ly = y1 + 8;
        int room = Math.max(1, (y0 - y1) / 20);
        for (int i = 0; i < panel.series().size(); i++) {
            Series s = panel.series().get(i);
            if (i == room - 1 && panel.series().size() > room) {
                g.setColor(Color.BLACK);
                g.drawString("+" + (panel.series().size() - i) + " more", x1 + 50, ly + 10);
                break;
            }
            g.setColor(s.color());
            g.setStroke(s.dashed() ? dashed : new BasicStroke(2.5f));
            g.drawLine(x1 + 16, ly + 6, x1 + 44, ly + 6);
            g.setColor(Color.BLACK);
            g.drawString(s.name().length() > 30 ? s.name().substring(0, 29) + "…" : s.name(), x1 + 50, ly + 10);
            ly += 20;
        }
        g.setStroke(new BasicStroke(1));
    }

    static String format(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return String.format("%,d", (long) v);
        }
        // ticks are 1-2-2.5-5 steps: three decimals at most, trailing zeros dropped
        return String.format("%.3f", v).replaceAll("0+$", "");
    }

    /** 1, 2, 5 times a power of ten, at least {@code v}. */
    static double niceCeiling(double v) {
        double power = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * power >= v) {
                return m * power;
            }
        }
        return 10 * power;
    }

    private record Axis(double min, double max, boolean log) {
        static Axis linear(double min, double max) {
            return new Axis(min, max, false);
        }

        static Axis log(double minPositive, double max) {
            return new Axis(Math.pow(10, Math.floor(Math.log10(minPositive))), Math.pow(10, Math.ceil(Math.log10(max))), true);
        }

        double fraction(double v) {
            if (log) {
                double clamped = Math.max(v, min);
                return (Math.log10(clamped) - Math.log10(min)) / (Math.log10(max) - Math.log10(min));
            }
            return (v - min) / (max - min);
        }

        List<Double> ticks() {
            List<Double> ticks = new ArrayList<>();
            if (log) {
                // decades; with few of them, 2 and 5 times each too
                boolean few = Math.log10(max / min) <= 2.01;
                for (double t = min; t <= max * 1.0001; t *= 10) {
                    for (double m : few ? new double[] {1, 2, 5} : new double[] {1}) {
                        if (t * m <= max * 1.0001) {
                            ticks.add(t * m);
                        }
                    }
                }
                return ticks;
            }
            double step = niceCeiling((max - min) / 8);
            for (double t = min; t <= max + step / 1000; t += step) {
                ticks.add(t);
            }
            return ticks;
        }
    }

    /**
     * Aggregates of (x seconds, latency µs) points in buckets of {@code width} seconds: for each bucket that
     * had any, the mean x of its points (so a bucket holding one batch sits where that batch committed)
     * and p50, p99 and max there in ms.
     */
    record Buckets(double width, double[] x, double[] p50, double[] p99, double[] max) {
        static Buckets perSecond(double[] seconds, long[] latencyMicros) {
            return of(1, seconds, latencyMicros);
        }

        /** Buckets about 1/100 of the span wide (a 1-2-5 step, at least 10 ms), for runs of any length. */
        static Buckets fitting(double span, double[] seconds, long[] latencyMicros) {
            return of(Math.max(0.01, niceCeiling(Math.max(span, 0.01) / 100)), seconds, latencyMicros);
        }

        static Buckets of(double width, double[] seconds, long[] latencyMicros) {
            TreeMap<Long, List<Integer>> buckets = new TreeMap<>();
            for (int i = 0; i < seconds.length; i++) {
                if (seconds[i] >= 0) {
                    buckets.computeIfAbsent((long) Math.floor(seconds[i] / width), b -> new ArrayList<>()).add(i);
                }
            }
            List<double[]> rows = new ArrayList<>();
            for (List<Integer> members : buckets.values()) {
                long[] sorted = members.stream().mapToLong(i -> latencyMicros[i]).sorted().toArray();
                double meanX = members.stream().mapToDouble(i -> seconds[i]).average().orElseThrow();
                rows.add(new double[] {meanX, Percentiles.rank(sorted, 0.5) / 1000.0, Percentiles.rank(sorted, 0.99) / 1000.0,
                        sorted[sorted.length - 1] / 1000.0});
            }
            return new Buckets(width, column(rows, 0), column(rows, 1), column(rows, 2), column(rows, 3));
        }

        private static double[] column(List<double[]> rows, int c) {
            return rows.stream().mapToDouble(r -> r[c]).toArray();
        }

        boolean isEmpty() {
            return x.length == 0;
        }

        /** "second", or "0.02 s": for legends ("max per second"). */
        String per() {
            return width == 1 ? "second" : format(width) + " s";
        }
    }
}
