import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;

public class Main {
    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        long sum = 0;
        for (String line; (line = in.readLine()) != null; )
            for (String t : line.trim().split("\\s+"))
                if (!t.isEmpty())
                    sum += Long.parseLong(t);
        System.out.println(sum);
    }
}
