' EXIT FOR outside a FOR, and RETURN with a value outside a FUNCTION, are check errors.
ON WEBHOOK POST TO "/t" DO
  WHILE 1 = 1
    EXIT FOR
  WEND
  RETURN 1
END ON
