package io.podheitor.hpc.cli.doctor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a podheitor-hpc-fd.so says about itself without being loaded: the strings of its {@code .podheitor_hpc}
 * section (shim-c/interfaces.c), found by their prefixes in the file's bytes.
 *
 * @param interfaces the FD plugin interface versions its loadPlugin accepts (empty: a build without the strings)
 * @param backend    its DEFAULT_BACKEND (null: a build without the strings)
 */
record PluginSo(List<Integer> interfaces, String backend) {
    static final String INTERFACES = "PODHEITOR_HPC_FD_INTERFACES=";
    static final String BACKEND = "PODHEITOR_HPC_FD_BACKEND=";

    static PluginSo read(Path so) throws IOException {
        byte[] b = Files.readAllBytes(so);
        List<Integer> versions = new ArrayList<>();
        String list = find(b, INTERFACES);
        if (list != null) {
            for (String v : list.split(",")) {
                try {
                    versions.add(Integer.parseInt(v.strip()));
                } catch (NumberFormatException e) {
                    // not a number: not our string after all
                }
            }
        }
        return new PluginSo(List.copyOf(versions), find(b, BACKEND));
    }

    /** The NUL-terminated string after PREFIX, or null. */
    static String find(byte[] b, String prefix) {
        byte[] p = prefix.getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = 0; i + p.length <= b.length; i++) {
            for (int j = 0; j < p.length; j++) {
                if (b[i + j] != p[j]) {
                    continue outer;
                }
            }
            int end = i + p.length;
            while (end < b.length && b[end] != 0) {
                end++;
            }
            return new String(b, i + p.length, end - i - p.length, StandardCharsets.UTF_8);
        }
        return null;
    }

    String interfacesText() {
        return String.join(",", interfaces.stream().map(String::valueOf).toList());
    }
}
