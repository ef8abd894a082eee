import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;

/** Deliberately wrong, the ways learners' programs go wrong; one per hidden test after
 * the first (which it passes): 1 of 4. */
public class Main {
    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        String line = in.readLine(); // the first line only: a wrong answer on several lines
        long sum = 0, steps = 0;
        for (String t : line.trim().split("\\s+")) { // no check for the end of input: a NullPointerException
            long x = Long.parseLong(t);
            for (int k = 0; k < x; k++) // an int counter against a long: endless on big numbers
                steps++;
            sum += x;
        }
        System.out.println(sum);
        System.err.println("steps: " + steps);
    }
}
