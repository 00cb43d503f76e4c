' JSON SET / JSON APPEND build a payload: "" starts from {}, keys are literal, values keep their type.
ON WEBHOOK POST TO "/t" DO
  D = JSON SET("", "customer.name", "Ana ""A.""")
  D = JSON SET(D, "customer.vip", 1 = 1)
  D = JSON SET(D, "total", 10.5 * 2)
  D = JSON APPEND(D, "items", JSON SET("", "sku", "A-1"))
  D = JSON APPEND(D, "items", JSON SET("", "sku", "B-2"))
  D = JSON SET(D, "items[1].qty", 3)
  D = JSON SET(D, "meta.#tag?", "*")
  PRINT D
  FOR EACH IT IN GET JSON PATH(D, "items")
    PRINT " "; GET JSON PATH(IT, "sku")
  NEXT
END ON
