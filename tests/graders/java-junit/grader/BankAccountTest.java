import static org.junit.Assert.assertEquals;

import org.junit.Test;

public class BankAccountTest {
    @Test
    public void startsEmpty() {
        assertEquals(0, new BankAccount("ada").getBalance());
    }

    @Test
    public void depositAdds() {
        BankAccount a = new BankAccount("ada");
        a.deposit(150);
        a.deposit(50);
        assertEquals(200, a.getBalance());
    }

    @Test(expected = IllegalArgumentException.class)
    public void negativeDepositRejected() {
        new BankAccount("ada").deposit(-5);
    }

    @Test
    public void withdrawSubtracts() {
        BankAccount a = new BankAccount("ada");
        a.deposit(100);
        a.withdraw(30);
        assertEquals(70, a.getBalance());
    }

    @Test(expected = IllegalStateException.class)
    public void overdraftRefused() {
        BankAccount a = new BankAccount("ada");
        a.deposit(10);
        a.withdraw(11);
    }
}
