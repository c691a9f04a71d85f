package io.smarttag.hub.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The machine the run happened on, and CPU counters, read from /proc (Linux). */
final class Machine {

    /** USER_HZ: the unit of /proc CPU times; 100 on every mainstream Linux. */
    private static final double TICKS_PER_SECOND = 100.0;

    private Machine() {
    }

    static Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpu_model", firstValue("/proc/cpuinfo", "model name"));
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("memory_total_mib", kib("MemTotal") / 1024);
        m.put("memory_available_at_start_mib", kib("MemAvailable") / 1024);
        m.put("os", osName());
        m.put("kernel", read("/proc/sys/kernel/osrelease").trim());
        m.put("jdk", System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version")
                + " (" + System.getProperty("java.vm.name") + ")");
        m.put("load_average_at_start", read("/proc/loadavg").trim());
        return m;
    }

    /** [busy, total] jiffies of all CPUs since boot; a phase's busy share is the ratio of the deltas. */
    static long[] cpuJiffies() {
        String[] f = read("/proc/stat").lines().findFirst().orElse("cpu 0").trim().split("\\s+");
        long total = 0;
        long idle = 0;
        for (int i = 1; i < f.length; i++) {
            long v = Long.parseLong(f[i]);
            total += v;
            if (i == 4 || i == 5) { // idle, iowait
                idle += v;
            }
        }
        return new long[] {total - idle, total};
    }

    static double processCpuSeconds(long pid) {
        String stat = read("/proc/" + pid + "/stat");
        if (stat.isEmpty()) {
            return 0;
        }
        // fields after the ")" that ends the command name: state is field 3, utime 14, stime 15
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
    }

    /**
     * CPU seconds of the PostgreSQL server listening on `port` (found by its command line, so a
     * PostgreSQL of another test run on the machine is not counted): the postmaster with its reaped
     * backends (cutime/cstime) plus the backends still alive. -1 when it is not a local process.
     */
    static double postgresCpuSeconds(int port) {
        try (var dirs = Files.list(Path.of("/proc"))) {
            List<String> pids = dirs.map(d -> d.getFileName().toString())
                    .filter(p -> p.chars().allMatch(Character::isDigit)).toList();
            String postmaster = null;
            for (String pid : pids) {
                String cmdline = read("/proc/" + pid + "/cmdline").replace('\0', ' ');
                if ("postgres".equals(read("/proc/" + pid + "/comm").trim()) && cmdline.contains("-p " + port + " ")) {
                    postmaster = pid;
                }
            }
            if (postmaster == null) {
                return -1;
            }
            double sum = statTicks(postmaster, true);
            for (String pid : pids) {
                if (postmaster.equals(statField(pid, 1))) {
                    sum += statTicks(pid, false);
                }
            }
            return sum / TICKS_PER_SECOND;
        } catch (Exception e) {
            return -1;
        }
    }

    private static double statTicks(String pid, boolean withReapedChildren) {
        String[] f = statFields(pid);
        if (f.length < 15) {
            return 0;
        }
        double ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        return withReapedChildren ? ticks + Long.parseLong(f[13]) + Long.parseLong(f[14]) : ticks;
    }

    private static String statField(String pid, int index) {
        String[] f = statFields(pid);
        return f.length > index ? f[index] : "";
    }

    /** /proc/<pid>/stat after the ")" that ends the command name: [0] state, [1] ppid, [11] utime, [12] stime. */
    private static String[] statFields(String pid) {
        String stat = read("/proc/" + pid + "/stat");
        int close = stat.lastIndexOf(')');
        return close < 0 ? new String[0] : stat.substring(close + 2).trim().split(" ");
    }

    private static String osName() {
        for (String line : read("/etc/os-release").split("\n")) {
            if (line.startsWith("PRETTY_NAME=")) {
                return line.substring(12).replace("\"", "");
            }
        }
        return System.getProperty("os.name") + " " + System.getProperty("os.version");
    }

    private static long kib(String field) {
        String value = firstValue("/proc/meminfo", field);
        return value.isEmpty() ? -1 : Long.parseLong(value.split("\\s+")[0]);
    }

    private static String firstValue(String file, String key) {
        for (String line : read(file).split("\n")) {
            if (line.startsWith(key)) {
                return line.substring(line.indexOf(':') + 1).trim();
            }
        }
        return "";
    }

    static String read(String file) {
        try {
            return Files.readString(Path.of(file));
        } catch (Exception e) {
            return "";
        }
    }

    static List<String> lines(String file) {
        return read(file).lines().toList();
    }
}
