' CALL is optional; arguments in parentheses or bare; SUB params by name and bare list.
SUB SAY(TEXT$, N)
  PRINT TEXT$; N; ";"
END SUB

SUB SAY TWICE WORD$, TIMES
  FOR I = 1 TO TIMES
    PRINT WORD$
  NEXT I
  PRINT ";"
END SUB

SUB NOTIFY
  PRINT "notified;"
END SUB

ON WEBHOOK POST TO "/t" DO
  CALL SAY("a", 1)
  SAY("b", 2)
  CALL SAY "c", 3
  SAY "d", 1 + 3
  SAY TWICE "x", 2
  CALL SAY TWICE("y", 3)
  NOTIFY()
  CALL NOTIFY()
END ON
