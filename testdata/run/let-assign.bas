' LET is optional; $ is part of the name (A and A$ are two variables).
ON WEBHOOK POST TO "/t" DO
  LET A = 1
  A$ = "one"
  a = A + 1
  PRINT A; " "; A$
END ON
