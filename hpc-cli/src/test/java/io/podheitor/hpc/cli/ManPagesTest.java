package io.podheitor.hpc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * The man pages and the bash completion of the Debian package come from the picocli model, made the way
 * scripts/package.sh makes them (picocli-codegen's ManPageGenerator, picocli.AutoComplete): one page per command
 * and command group, each naming every visible option of its command and none of the hidden ones; the top page
 * lists every command; the completion knows every command and option. A command added to the CLI is covered
 * without touching this test.
 */
class ManPagesTest {
    @TempDir
    Path tmp;

    /** "podheitor-hpc", "podheitor-hpc-bench", "podheitor-hpc-bench-walk", ... -> its spec (help left out). */
    private static void commands(CommandLine cl, String name, java.util.Map<String, CommandSpec> out) {
        out.put(name, cl.getCommandSpec());
        cl.getSubcommands().forEach((k, v) -> {
            if (!k.equals("help")) {
                commands(v, name + "-" + k, out);
            }
        });
    }

    @Test
    void oneManPagePerCommandFromTheModel() throws Exception {
        CommandLine cl = new CommandLine(new PodheitorCli());
        java.util.Map<String, CommandSpec> all = new java.util.TreeMap<>();
        commands(cl, "podheitor-hpc", all);
        assertTrue(all.keySet().containsAll(List.of("podheitor-hpc", "podheitor-hpc-walk", "podheitor-hpc-bench",
                "podheitor-hpc-bench-walk", "podheitor-hpc-bench-backup", "podheitor-hpc-doctor",
                "podheitor-hpc-version")), all.keySet().toString());

        int rc = ManPageGenerator.generateManPage(tmp.toFile(), null, new boolean[0], true, cl.getCommandSpec());
        assertEquals(0, rc);
        Set<String> pages;
        try (Stream<Path> s = Files.list(tmp)) {
            pages = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".adoc"))
                    .map(n -> n.substring(0, n.length() - 5)).collect(Collectors.toCollection(TreeSet::new));
        }
        pages.remove("podheitor-hpc-help");                 // picocli's own help command (its page ships too)
        assertEquals(all.keySet(), pages);
        for (var e : all.entrySet()) {
            String page = Files.readString(tmp.resolve(e.getKey() + ".adoc"));
            for (OptionSpec o : e.getValue().options()) {
                String name = o.longestName();
                if (o.hidden()) {
                    assertFalse(page.contains(name + "="), e.getKey() + " shows the hidden option " + name);
                } else {
                    assertTrue(page.contains(name), e.getKey() + " does not describe " + name);
                }
            }
        }
        String top = Files.readString(tmp.resolve("podheitor-hpc.adoc"));
        for (String c : cl.getSubcommands().keySet()) {
            assertTrue(top.contains(c), "the top page does not list " + c);
        }
        assertTrue(Files.readString(tmp.resolve("podheitor-hpc-doctor.adoc")).contains("--fd-conf"));
    }

    @Test
    void bashCompletionKnowsEveryCommandAndOption() throws Exception {
        CommandLine cl = new CommandLine(new PodheitorCli());
        File out = tmp.resolve("podheitor-hpc").toFile();
        AutoComplete.bash("podheitor-hpc", out, null, cl);
        String script = Files.readString(out.toPath());
        assertTrue(script.contains("complete -F _complete_podheitor-hpc"), "not a bash completion for podheitor-hpc");
        java.util.Map<String, CommandSpec> all = new java.util.TreeMap<>();
        commands(cl, "podheitor-hpc", all);
        List<String> missing = new ArrayList<>();
        for (var e : all.entrySet()) {
            String leaf = e.getKey().substring(e.getKey().lastIndexOf('-') + 1);
            if (!script.contains(leaf)) {
                missing.add(e.getKey());
            }
            for (OptionSpec o : e.getValue().options()) {
                if (!o.hidden() && !script.contains(o.longestName())) {
                    missing.add(e.getKey() + " " + o.longestName());
                }
            }
        }
        assertTrue(missing.isEmpty(), "the completion lacks: " + missing);
    }
}
