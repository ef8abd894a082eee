-- q1
SELECT name FROM customers WHERE city = 'Lyon';
-- q2
SELECT c.name, SUM(o.amount) AS total
FROM customers c JOIN orders o ON o.customer_id = c.id
GROUP BY c.name
ORDER BY total;
-- q3
SELECT name FROM customers WHERE id NOT IN (SELECT customer_id FROM orders);
-- q4
SELECT city, COUNT(*) FROM customers WHERE COUNT(*) > 1 GROUP BY city;
