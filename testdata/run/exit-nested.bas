' EXIT FOR/WHILE/DO leave the innermost loop of their kind, also across other kinds of loop.
ON WEBHOOK POST TO "/t" DO
  FOR I = 1 TO 3
    FOR J = 1 TO 3
      IF J = 2 THEN EXIT FOR
      PRINT I; J; " "
    NEXT J
  NEXT I
  PRINT "|"
  K = 0
  WHILE K < 5
    K = K + 1
    FOR J = 1 TO 3
      IF K = 3 THEN EXIT WHILE
    NEXT J
    PRINT K
  WEND
  PRINT "|"
  FOR I = 1 TO 3
    N = 0
    DO WHILE 1 = 1
      N = N + 1
      IF N = I THEN EXIT DO
    LOOP
    PRINT N
    WHILE 1
      EXIT WHILE
    WEND
    IF I = 2 THEN EXIT FOR
  NEXT I
  PRINT "|"; I
END ON
