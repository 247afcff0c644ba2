package io.podheitor.hpc.changelog.beegfs;

import io.podheitor.hpc.changelog.ChangelogFormatException;
import io.podheitor.hpc.changelog.lustre.Tool;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * BeeGFS 7.x's {@code beegfs-ctl}, run as a child process ({@link Tool}): the metadata targets and the entry info
 * of one path. BeeGFS 8 replaced it with {@code beegfs}, not supported yet (docs/changelog.md §6).
 */
public final class BeegfsCtl {
    private final Tool tool;

    public BeegfsCtl(Tool tool) {
        this.tool = tool;
    }

    /** {@code beegfs-ctl} on the PATH, or empty. */
    public static Optional<BeegfsCtl> onPath() {
        return Tool.onPath("beegfs-ctl").map(BeegfsCtl::new);
    }

    public Tool tool() {
        return tool;
    }

    /** {@code beegfs-ctl --listtargets --nodetype=meta --state}. */
    public List<MetaTarget> metaTargets() throws IOException {
        Tool.Result r = tool.run(List.of("--listtargets", "--nodetype=meta", "--state"));
        if (r.exit() != 0) {
            throw new IOException("beegfs-ctl --listtargets --nodetype=meta --state: exit " + r.exit()
                    + (r.stderr().isEmpty() ? "" : ": " + r.stderr()));
        }
        return BeegfsTargets.parse(r.stdout());
    }

    /**
     * {@code beegfs-ctl --getentryinfo PATH}. The path goes to the process as text: a path that is not valid
     * UTF-8 cannot be passed without changing it, and is refused ({@link CharacterCodingException}).
     */
    public BeegfsEntryInfo entryInfo(byte[] path) throws IOException {
        String p = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(path)).toString();
        Tool.Result r = tool.run(List.of("--getentryinfo", p));
        if (r.exit() != 0) {
            throw new IOException("beegfs-ctl --getentryinfo: exit " + r.exit()
                    + (r.stderr().isEmpty() ? "" : ": " + r.stderr()));
        }
        try {
            return BeegfsEntryInfo.parse(r.stdout());
        } catch (ChangelogFormatException e) {
            throw new IOException(e.getMessage(), e);
        }
    }
}
