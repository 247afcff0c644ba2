package io.podheitor.hpc.slurm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A directory with fake_slurm.py as sbatch, squeue, scancel and sacct, and the responses each gives. */
final class FakeSlurm {
    final Path dir;

    FakeSlurm(Path dir) throws IOException {
        this.dir = dir;
        Path script = Path.of("src/test/python/fake_slurm.py").toAbsolutePath();
        for (String t : List.of("sbatch", "squeue", "scancel", "sacct")) {
            Files.createSymbolicLink(dir.resolve(t), script);
        }
    }

    SlurmTools tools() {
        return SlurmTools.in(dir).withEnv("FAKE_SLURM_DIR", dir.toString());
    }

    /** The responses of TOOL (suffix "" or ".after"): {out, err, rc} each. */
    FakeSlurm script(String tool, String... outErrRc) throws IOException {
        return script(tool, "", outErrRc);
    }

    FakeSlurm scriptAfterCancel(String tool, String... outErrRc) throws IOException {
        return script(tool, ".after", outErrRc);
    }

    private FakeSlurm script(String tool, String suffix, String... outErrRc) throws IOException {
        StringBuilder j = new StringBuilder("[");
        for (int i = 0; i < outErrRc.length; i += 3) {
            if (i > 0) {
                j.append(',');
            }
            j.append("{\"out\":").append(json(outErrRc[i])).append(",\"err\":").append(json(outErrRc[i + 1]))
                    .append(",\"rc\":").append(Integer.parseInt(outErrRc[i + 2])).append('}');
        }
        Files.writeString(dir.resolve(tool + suffix + ".json"), j.append(']').toString());
        return this;
    }

    static String json(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    /** The calls made so far, as the raw JSON lines. */
    List<String> calls() throws IOException {
        Path p = dir.resolve("calls.jsonl");
        return Files.exists(p) ? Files.readAllLines(p) : new ArrayList<>();
    }

    List<String> calls(String tool) throws IOException {
        return calls().stream().filter(l -> l.startsWith("{\"tool\": \"" + tool + "\"")).toList();
    }

    static Map<String, String> none() {
        return Map.of();
    }
}
