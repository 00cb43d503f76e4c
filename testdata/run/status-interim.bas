' A 1xx status is not a final answer: a literal one is a check error.
ON WEBHOOK POST TO "/t" DO
  SET RESPONSE STATUS TO 100
END ON
