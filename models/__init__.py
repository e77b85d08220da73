"""Tables, one module per area, and the domain services beside them."""
from models.catalogue import Product  # noqa: F401
from models.consignment import CommissionRule, ConsignmentEntry, ConsignmentSetting  # noqa: F401
from models.cooperatives import Cooperative  # noqa: F401
from models.stock import Location, Lot, StockBalance, StockMovement  # noqa: F401
from models.users import ApiToken, LoginAttempt, User  # noqa: F401
from models.warehouse import PackagingInput, PackagingRun, Reception, ReceptionLine  # noqa: F401
from models.sales import CashSession, ReceiptCounter, Refund, RefundLine, Sale, SaleLine, SalePayment  # noqa: F401
from models.transfers import CooperativeReturn, ReplenishmentRequest, StockCount, Transfer  # noqa: F401
from models.consignment_payouts import Payout  # noqa: F401
from models.stock_blocks import LotBlock  # noqa: F401
from models.consignment import CommissionRateChange  # noqa: F401
from models.consignment_payouts import PayoutReversal  # noqa: F401
from models.compensations import Compensation  # noqa: F401
from models.stock_writeoffs import WriteOff  # noqa: F401
from models.audit import AuditEntry  # noqa: F401
from models.report_summaries import ConsignmentDaily, ConsignmentMonthly  # noqa: F401
from models.report_cells import ReportCell  # noqa: F401
from models.orders import Buyer, BuyerPayment, Invoice, InvoiceCounter, InvoiceLine, Order, OrderLine, OrderLineLot, PriceList, PriceListItem  # noqa: F401,E501
from models.sales_offline import DeviceReceiptBlock, OfflineSale, OfflineSaleIssue, TillDevice  # noqa: F401
