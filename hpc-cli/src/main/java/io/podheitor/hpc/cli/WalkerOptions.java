package io.podheitor.hpc.cli;

import io.podheitor.hpc.walker.WalkOptions;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The walker's options, shared as a picocli mixin by {@code walk} and {@code bench walk} (which passes them on to
 * each {@code walk} run it times). Unset options leave the walker's defaults (the same as the plugin keys
 * {@code threads} and {@code channel_depth}).
 */
public final class WalkerOptions {
    @Option(names = "--threads", paramLabel = "N",
            description = "walker threads, 1..1024 (default: min(64, max(32, 4 x CPU cores)), as the plugin key threads)")
    Integer threads;

    @Option(names = "--channel-depth", paramLabel = "N",
            description = "bound of the walker's entry channel, 1..1048576 (default: 8192, as the plugin key channel_depth)")
    Integer channelDepth;

    public Integer threads() {
        return threads;
    }

    public Integer channelDepth() {
        return channelDepth;
    }

    /** BASE with the given options; IllegalArgumentException (with the walker's words) for a bad value. */
    public WalkOptions apply(WalkOptions base) {
        WalkOptions o = base;
        if (threads != null) {
            o = o.withThreads(threads);
        }
        if (channelDepth != null) {
            o = o.withChannelDepth(channelDepth);
        }
        return o;
    }

    /** The options other than --threads as {@code walk} arguments, for a child {@code walk} process. */
    public List<String> argsWithoutThreads() {
        List<String> a = new ArrayList<>();
        if (channelDepth != null) {
            a.add("--channel-depth");
            a.add(channelDepth.toString());
        }
        return a;
    }
}
