/** The camera bank of the command tests: a trigger coil, the program register and the reply's points. */
export const VISION_POINTS = `      - { name: trigger, table: coils, address: 0, type: bool }
      - { name: program, table: holding, address: 0, type: uint16 }
      - { name: status, table: holding, address: 1, type: uint16 }
      - { name: result, table: holding, address: 2, type: float32 }
      - { name: code, table: holding, address: 4, type: string, length: 4 }
`;
