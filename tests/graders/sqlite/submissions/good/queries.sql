-- q1
SELECT name FROM customers WHERE city = 'Lyon';
-- q2
SELECT c.name, SUM(o.amount) AS total
FROM customers c JOIN orders o ON o.customer_id = c.id
GROUP BY c.name
ORDER BY total DESC;
-- q3
SELECT c.name FROM customers c LEFT JOIN orders o ON o.customer_id = c.id WHERE o.id IS NULL;
-- q4
SELECT city, COUNT(*) AS n FROM customers GROUP BY city HAVING n >= 2;
