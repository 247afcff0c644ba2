package io.podheitor.hpc.backend;

import io.podheitor.hpc.backend.backup.EntryChecks;
import io.podheitor.hpc.ptcomm.Frame;
import io.podheitor.hpc.ptcomm.FrameReader;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Reads the shim's frames on a daemon thread into a small bounded queue, so the session notices an end of
 * input (or an unexpected frame) even while it is busy streaming a backup. The bound keeps restore data from
 * piling up in memory: the reader waits while the session writes.
 */
final class Inbound {
    private sealed interface Item permits Received, Closed, Failed {
    }

    private record Received(Frame frame) implements Item {
    }

    private record Closed() implements Item {
    }

    private record Failed(IOException error) implements Item {
    }

    private final BlockingQueue<Item> queue = new ArrayBlockingQueue<>(16);
    /** Answers to CHECKs (C SEEN / C CHANGED, docs/ptcomm.md §8), kept apart from the command queue. */
    private final BlockingQueue<Boolean> answers = new LinkedBlockingQueue<>();
    private final Thread reader;
    private volatile boolean closed;
    private volatile boolean passAnswers;
    private Item last;

    Inbound(InputStream in) {
        FrameReader frames = new FrameReader(in);
        reader = Thread.ofPlatform().daemon().name("podheitor-ptcomm-in").unstarted(() -> pump(frames));
        reader.start();
    }

    private void pump(FrameReader frames) {
        Item item;
        try {
            while (true) {
                Frame f = frames.read();
                if (f == null) {
                    item = new Closed();
                    break;
                }
                if (!passAnswers && EntryChecks.isAnswer(f)) {
                    answers.add(f.isCommand(EntryChecks.CHANGED));
                    continue;
                }
                queue.put(new Received(f));
            }
        } catch (IOException e) {
            item = new Failed(e);
        } catch (InterruptedException e) {
            item = new Closed();
        }
        closed = true;
        try {
            queue.put(item);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The next frame, waiting for it.
     *
     * @return the frame, or null once the input has ended
     * @throws IOException a protocol error (bad header, EOF inside a frame)
     */
    Frame next() throws IOException {
        if (last != null) {
            return end(last);
        }
        Item item;
        try {
            item = queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
        if (item instanceof Received r) {
            return r.frame();
        }
        last = item;
        return end(item);
    }

    private static Frame end(Item item) throws IOException {
        if (item instanceof Failed f) {
            throw f.error();
        }
        return null;
    }

    /**
     * The next answer to a CHECK, waiting at most {@code millis}.
     *
     * @return true = CHANGED, false = SEEN, null = none yet
     */
    Boolean answer(long millis) throws InterruptedException {
        return answers.poll(millis, TimeUnit.MILLISECONDS);
    }

    /**
     * From now on answers to CHECKs are frames like any other ({@link #next()}): the session relays everything to a
     * Slurm worker. Called before the worker's scan starts, so no answer can be pending yet.
     */
    void passAnswers() {
        passAnswers = true;
    }

    /** Has the shim closed its side, or sent anything, since the last {@link #next()}? (cancels a running backup) */
    boolean interrupted() {
        return closed || !queue.isEmpty();
    }
}
