' MAXSTEPS: 100000
' Builtins whose time grows with their input count a step per 64 bytes read:
' LEN of 1 MiB is 16,384 steps, so a few of them meet the step budget.
ON WEBHOOK POST TO "/t" DO
  S = "x" : FOR J = 1 TO 20 : S = S + S : NEXT
  PRINT LEN(S); " "
  FOR I = 1 TO 10
    N = LEN(S)
  NEXT
  PRINT "not reached"
END ON
