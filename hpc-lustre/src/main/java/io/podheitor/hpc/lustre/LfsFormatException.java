package io.podheitor.hpc.lustre;

import java.io.IOException;

/** lfs printed something this parser does not recognise (an unknown version or an unexpected message). */
public final class LfsFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public LfsFormatException(String message) {
        super(message);
    }
}
