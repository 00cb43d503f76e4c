' A block left open is reported at the line of the statement that opened it.
ON WEBHOOK POST TO "/t" DO
  FOR I = 1 TO 2
    IF I = 1 THEN
      PRINT I
  NEXT I
END ON
