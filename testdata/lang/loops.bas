' Every loop form, with EXIT and nested blocks.
ON WEBHOOK POST TO "/loops" DO
  TOTAL = 0
  FOR I = 1 TO 10 STEP 2
    IF I = 7 THEN EXIT FOR
    TOTAL = TOTAL + I
  NEXT I
  FOR J = 3 TO 1 STEP -1 : TOTAL = TOTAL + J : NEXT
  N = 0
  WHILE N < 3
    N = N + 1
  WEND
  DO WHILE N > 0
    N = N - 1
    IF N = 1 THEN EXIT DO
  LOOP
  PRINT TOTAL; " "; N
END ON
