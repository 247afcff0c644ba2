package io.podheitor.hpc.ptcomm;

/** The {@code type} letter of a FILE record (docs/ptcomm.md §3). */
public enum FileType {
    REGULAR('F'),
    EMPTY('E'),
    DIRECTORY('D'),
    SYMLINK('S'),
    HARDLINK('L'),
    FIFO('P'),
    CHAR_DEVICE('C'),
    BLOCK_DEVICE('B'),
    SOCKET('K');

    private final char letter;

    FileType(char letter) {
        this.letter = letter;
    }

    public char letter() {
        return letter;
    }

    /** @return the type, or null for an unknown letter */
    public static FileType of(int letter) {
        for (FileType t : values()) {
            if (t.letter == letter) {
                return t;
            }
        }
        return null;
    }
}
