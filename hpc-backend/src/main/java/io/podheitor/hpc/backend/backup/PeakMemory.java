package io.podheitor.hpc.backend.backup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The backend's peak resident memory (VmHWM of /proc/self/status), or 0 where there is no such file. */
final class PeakMemory {
    private PeakMemory() {
    }

    static long bytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }
}
