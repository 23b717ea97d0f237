package dev.deltasync.sync.trust;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Another program writing a file through its own shared mapping, kept open: each line {@code OFFSET VALUE} on stdin
 * writes one byte there and answers {@code ok} on stdout. Used by {@link TrustPassTest}.
 */
public final class MappedWriterMain {
    private MappedWriterMain() {}

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
             BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            MappedByteBuffer mapping = channel.map(FileChannel.MapMode.READ_WRITE, 0, channel.size());
            System.out.println("mapped");
            System.out.flush();
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                String[] parts = line.trim().split(" ");
                mapping.put(Integer.parseInt(parts[0]), (byte) Integer.parseInt(parts[1]));
                System.out.println("ok");
                System.out.flush();
            }
        }
    }
}
